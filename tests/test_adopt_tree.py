"""Real-world folders adopted whole: sections from sub-folders, titles from headings or file
names, every Markdown file a lesson or reported, and sections on the course page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.commands.courses import courses_group
from lms.content.importer import import_directory
from lms.content.loader import readable_title
from lms.content.validate import check_directory
from lms.extensions import db
from lms.models import Asset, Course, Lesson
from lms.testing import Auth, write_course
from lms.testing import make_world
from tests.fixtures.content import count_writes, write
from tests.test_learn import counted

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def run(app, *args):
    return app.test_cli_runner().invoke(courses_group, [str(a) for a in args])


def material(root: Path) -> dict[str, int]:
    """A tree as found in the wild: no front matter, folder names as titles, sections two and
    four levels deep, 'Introduction' everywhere, an image beside a lesson, code with '#'
    comments, a README at the top and drafts. Returns how many Markdown files each course
    folder holds (lessons to be)."""
    files = {
        "README.md": "# Our course notes\n",
        "Javascript_basics/introduction.md": "# Introduction\n\nWelcome.\n",
        "Javascript_basics/01_variables/index.md": "# Introduction\n\nVariables hold values.\n",
        "Javascript_basics/01_variables/let-and-const.md":
            "# Let and const\n\n![Diagram](diagram.png)\n\nSee [closures](02_scope/closures.md).\n",
        "Javascript_basics/01_variables/02_scope/README.md": "# Overview\n\nScope.\n",
        "Javascript_basics/01_variables/02_scope/closures.md": "# Closures\n\nText.\n",
        "Javascript_basics/01_variables/02_scope/deep/deeper/deepest/hoisting.md":
            "# Introduction\n\nDeep down.\n",
        "Javascript_basics/02-functions/index.md": "# Introduction\n\nFunctions.\n",
        "Javascript_basics/02-functions/arrow_functions.md":
            "Arrow functions\n===============\n\nText.\n\n# Examples\n\n## One\n",
        "Javascript_basics/02-functions/comments.md":
            "```bash\n# not a heading\n```\n\n# Comments\n\nText\n",
        "Javascript_basics/03-objects/index.md": "# Introduction\n\nObjects.\n",
        "Javascript_basics/03-objects/setup.md": "# Setup\n\nA.\n",
        "Javascript_basics/04-arrays/setup.md": "# Setup\n\nB.\n",
        "Javascript_basics/_drafts/todo.md": "# Todo\n",
        "html-css/overview.md": "# Overview\n\nHTML.\n",
        "html-css/layout/flexbox.md": "# Flexbox\n",
    }
    for name, text in files.items():
        write(root / name, text)
    (root / "Javascript_basics/01_variables/diagram.png").write_bytes(PNG)
    return {"Javascript_basics": 12, "html-css": 2}


def test_adopting_a_tree_makes_every_markdown_file_a_lesson(app, tmp_path):
    """Every Markdown file of each course becomes a lesson (count equal), titles are distinct
    and no page has its H1 twice; what is not adopted is reported with the reason; check says
    0 errors and reports the files it ignores; the image is kept as an asset."""
    root = tmp_path / "js"
    expected = material(root)
    result = run(app, "adopt", root)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (f"not adopted {root}/README.md: a Markdown file at the top of the tree is not part "
            "of a course (adopt the folder with --course to make it one course)") in lines
    assert (f"not adopted {root}/Javascript_basics/_drafts/todo.md: in '_drafts/': folders "
            "whose names start with '_' are skipped") in lines
    assert ("16 Markdown file(s): 14 lesson(s) given front matter, 0 kept as they were (they "
            "have front matter), 2 not adopted (listed above); 2 course.md file(s) written.") in lines

    check = run(app, "check", root)
    assert check.exit_code == 0, check.output
    assert "0 error(s), 2 warning(s)" in check.output
    assert ("README.md:0: file: warning: ignored: a Markdown file at the top of the tree is "
            "not part of a course") in check.output
    assert "Javascript_basics/_drafts/todo.md:0: file: warning: ignored: in '_drafts/'" in check.output

    assert run(app, "import", root).exit_code == 0
    with app.app_context():
        courses = {c.slug: c for c in db.session.scalars(select(Course))}
        assert {slug: c.title for slug, c in courses.items()} == {
            "javascript-basics": "JavaScript basics", "html-css": "HTML CSS"}
        for folder, count in expected.items():
            course = next(c for c in courses.values() if c.source_path == f"{folder}/course.md")
            titles = [lesson.title for lesson in course.lessons]
            assert len(titles) == count, titles
            assert len(set(titles)) == count, titles
            for lesson in course.lessons:
                assert "<h1" not in lesson.html, (lesson.source_path, lesson.html)
        js = courses["javascript-basics"]
        assert [(l.title, l.section) for l in js.lessons] == [
            ("Introduction", ""),
            ("Variables", "01_variables"),
            ("Let and const", "01_variables"),
            ("Scope", "01_variables/02_scope"),
            ("Closures", "01_variables/02_scope"),
            ("Hoisting", "01_variables/02_scope/deep"),  # folded into the third level
            ("Functions", "02-functions"),
            ("Arrow functions", "02-functions"),
            ("Comments", "02-functions"),
            ("Objects", "03-objects"),
            ("Setup (Objects)", "03-objects"),
            ("Setup (Arrays)", "04-arrays")]
        assert js.sections == [
            {"key": "01_variables", "title": "Variables", "depth": 1},
            {"key": "01_variables/02_scope", "title": "Scope", "depth": 2},
            {"key": "01_variables/02_scope/deep", "title": "Deep", "depth": 3},
            {"key": "02-functions", "title": "Functions", "depth": 1},
            {"key": "03-objects", "title": "Objects", "depth": 1},
            {"key": "04-arrays", "title": "Arrays", "depth": 1}]
        lesson = next(l for l in js.lessons if l.slug == "let-and-const")
        sha = db.session.scalar(select(Asset.sha256))
        assert f'src="/assets/{sha}/diagram.png"' in lesson.html
        assert 'href="/cursussen/javascript-basics/closures"' in lesson.html
        arrow = next(l for l in js.lessons if l.slug == "arrow-functions")
        assert "<h2" in arrow.html and "Examples" in arrow.html and "<h3" in arrow.html
        comments = next(l for l in js.lessons if l.title == "Comments")
        assert "# not a heading" in comments.html
    text = (root / "Javascript_basics/01_variables/let-and-const.md").read_text()
    assert text.startswith("---\nid: let-and-const\ntitle: Let and const\ntype: page\n---\n")
    assert "# Let and const" not in text  # the H1 used as title left the body


def test_adopting_again_changes_nothing_and_one_course_folder_works_too(app, tmp_path):
    """A second adopt keeps every file; --course adopts one folder with sections."""
    root = tmp_path / "js"
    material(root)
    run(app, "adopt", root)
    again = run(app, "adopt", root)
    assert "0 lesson(s) given front matter, 16 kept as they were" in again.output
    single = tmp_path / "los" / "losse-cursus"
    write(single / "README.md", "# Over deze cursus\n")
    write(single / "deel-1/les.md", "# Les\n")
    result = run(app, "adopt", "--course", single)
    assert result.exit_code == 0, result.output
    assert (single / "course.md").read_text().startswith("---\nid: losse-cursus\ntitle: Losse cursus\n")
    check = run(app, "check", tmp_path / "los")
    assert check.exit_code == 0 and "0 error(s), 0 warning(s)" in check.output, check.output


@pytest.mark.parametrize("name,title", [
    ("Javascript_basics", "JavaScript basics"), ("02-html-and-css", "HTML and CSS"),
    ("01_Introductie", "Introductie"), ("PDG-route", "PDG route"), ("week 3", "Week 3"),
    ("007", "007"),
])
def test_folder_names_become_readable_titles(name, title):
    """Number prefixes and separators go, known words are spelled right."""
    assert readable_title(name) == title


def test_section_yml_sets_title_and_order_and_moves_keep_lessons(app, tmp_path):
    """section.yml gives a section its title and order; moving a lesson to another section
    keeps its row; an unchanged tree with sections re-imports without a write; the course
    page shows the sections as headings."""
    root = write_course(tmp_path / "courses", {
        "course.md": "---\nid: met-delen\ntitle: Met delen\nhours: 12\nnlqf: 6\n"
                     "audience: [learner, mentor]\ncompetences: [kader:plannen]\n---\nIntro.\n",
        "01-welkom.md": "---\nid: welkom\ntitle: Welkom\ntype: page\n---\nHoi.\n"})
    write(root / "frameworks/kader.yml", "id: kader\ntitle: Kader\nitems:\n"
                                         "  - {code: plannen, title: Lessen plannen}\n")
    write(root / "met-delen/1-basis/section.yml", "title: De basis\norder: 2\n")
    write(root / "met-delen/1-basis/01-eerst.md", "---\nid: eerst\ntitle: Eerst\ntype: page\n---\n")
    write(root / "met-delen/2-verdieping/section.yml", "order: 1\nsamenvatting: x\n")
    write(root / "met-delen/2-verdieping/01-later.md", "---\nid: later\ntitle: Later\ntype: page\n---\n")
    write(root / "met-delen/2-verdieping/media/plaatje.md.txt", "geen les")
    with app.app_context():
        problems = [str(p) for p in check_directory(root)]
        assert problems == ["met-delen/2-verdieping/section.yml:2: samenvatting: warning: "
                            "unknown key 'samenvatting'"]
        import_directory(root)
        course = db.session.scalar(select(Course))
        assert course.sections == [
            {"key": "2-verdieping", "title": "Verdieping", "depth": 1},
            {"key": "1-basis", "title": "De basis", "depth": 1}]
        assert [l.slug for l in course.lessons] == ["welkom", "later", "eerst"]
        ids = {l.slug: l.id for l in course.lessons}
        db.session.remove()
        with count_writes(db.engine) as writes:
            import_directory(root)
        assert writes == []
        (root / "met-delen/1-basis/01-eerst.md").rename(root / "met-delen/2-verdieping/02-eerst.md")
        summary = import_directory(root)
        assert summary["lessons"].added == 0
        moved = db.session.get(Lesson, ids["eerst"])
        assert moved.section == "2-verdieping" and moved.position == 3
        assert db.session.scalar(select(Course)).sections == [
            {"key": "2-verdieping", "title": "Verdieping", "depth": 1}]
        make_world()
    client = app.test_client()
    Auth(client).login("learner")
    client.post("/taal", data={"lang": "en"})
    html = client.get("/cursussen/met-delen").get_data(as_text=True)
    assert re.search(r'<h3 class="section-title">Verdieping</h3>\s*<ol class="lesson-list" '
                     r'start="2">', html), html


def test_a_lesson_page_names_its_sections(app, tmp_path):
    """A lesson in a nested section says where it is: course › chapter › section."""
    root = write_course(tmp_path / "courses", {
        "course.md": "---\nid: genest\ntitle: Genest\n---\nIntro.\n"})
    write(root / "genest/1-eerste-deel/01-a.md", "---\nid: a\ntitle: A\ntype: page\n---\n")
    write(root / "genest/1-eerste-deel/2-dieper/01-b.md", "---\nid: b\ntitle: B\ntype: page\n---\n")
    with app.app_context():
        import_directory(root)
        make_world()
    client = app.test_client()
    Auth(client).login("learner")
    crumbs = {slug: re.search(r'<nav aria-label="[^"]+" class="breadcrumb">(.*?)</nav>',
                              client.get(f"/cursussen/genest/{slug}").get_data(as_text=True),
                              re.S).group(1) for slug in ("a", "b")}
    assert re.sub(r"<a [^>]+>", "<a>", crumbs["a"]).strip() == (
        '<a>Genest</a> › <span class="section">Eerste deel</span>')
    assert re.sub(r"<a [^>]+>", "<a>", crumbs["b"]).strip() == (
        '<a>Genest</a> › <span class="section">Eerste deel › Dieper</span>')


def test_course_page_shows_level_hours_audience_and_competences(app, tmp_path):
    """The metadata that has an effect is on the course page: NLQF level, study load, whom it
    is for and its competences by title, within the learner pages' six queries."""
    root = write_course(tmp_path / "courses", {
        "course.md": "---\nid: met-feiten\ntitle: Met feiten\nhours: 12\nnlqf: 6\n"
                     "audience: [learner, mentor]\ncompetences: [kader:plannen, kader:weg]\n---\n"
                     "Intro.\n",
        "01-welkom.md": "---\nid: welkom\ntitle: Welkom\ntype: page\n---\nHoi.\n"})
    write(root / "frameworks/kader.yml", "id: kader\ntitle: Kader\nitems:\n"
                                         "  - {code: plannen, title: Lessen plannen}\n"
                                         "  - {code: weg, title: Verdwijnt}\n")
    with app.app_context():
        import_directory(root)
        make_world()
    client = app.test_client()
    Auth(client).login("learner")
    client.post("/taal", data={"lang": "en"})
    with counted(app) as statements:
        html = client.get("/cursussen/met-feiten").get_data(as_text=True)
    assert len(statements) <= 6, statements
    facts = re.search(r'<ul class="course-facts plain-list">(.*?)</ul>', html, re.S).group(1)
    assert [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", facts, re.S)] == [
        "NLQF level 6", "Study load: 12 hours", "For: Learner, Mentor",
        "Competences: Lessen plannen (Kader); Verdwijnt (Kader)"]


def test_folder_links_that_loop_are_read_once(app, tmp_path):
    """A link from a section back to its own course folder (or to itself) neither hangs
    check nor adopt: the folder is read once and the link is reported."""
    root = write_course(tmp_path / "courses", {
        "course.md": "---\nid: lus\ntitle: Lus\n---\n",
        "01-les.md": "---\nid: les\ntitle: Les\ntype: page\n---\n"})
    write(root / "lus/deel/02-meer.md", "---\nid: meer\ntitle: Meer\ntype: page\n---\n")
    (root / "lus/deel/terug").symlink_to("../..")
    (root / "lus/deel/zelf").symlink_to(".")
    with app.app_context():
        problems = [str(p) for p in check_directory(root)]
    assert problems == [
        "lus/deel/terug/lus/:0: folder: leads (through a symbolic link) to a folder the "
        "course already reads; it is read once",
        "lus/deel/zelf/:0: folder: leads (through a symbolic link) to a folder the "
        "course already reads; it is read once"]
    result = run(app, "adopt", root)
    assert result.exit_code == 0 and f"skipped {root}/lus/deel/terug: is a symbolic link; " \
        "adopt only edits real files" in result.output
