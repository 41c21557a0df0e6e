"""The ``lms courses`` commands authors run: check, import, new, adopt."""
from __future__ import annotations

from sqlalchemy import select

from lms.commands.courses import courses_group
from lms.extensions import db
from lms.models import Course, Lesson
from tests.fixtures.content import tree, write  # noqa: F401


def run(app, *args):
    return app.test_cli_runner().invoke(courses_group, [str(a) for a in args])


def test_check_lists_problems_relative_to_the_tree(app, tree):
    """check prints every problem as path:line: field: message and exits 1 on errors."""
    write(tree / "goed-van-start/course.md", "---\nid: goed-van-start\ntitle: G\nnlqf: 9\n---\n")
    write(tree / "goed-van-start/03-x.md", "---\nid: x\ntitle: X\ntype: quizz\n---\n")
    result = run(app, "check", tree)
    assert result.exit_code == 1
    assert "goed-van-start/course.md:4: nlqf: must be between 4 and 8, got 9" in result.output
    # The known types come from the plugin registry: core's page plus the bundled plugins.
    assert ("goed-van-start/03-x.md:4: type: unknown lesson type 'quizz' "
            "(known: assignment, page, quiz, reflection)") in result.output
    assert str(tree) + "/goed" not in result.output
    assert "2 error(s)" in result.output


def test_check_passes_with_only_warnings(app, tree):
    """Warnings are printed but do not fail an author's CI."""
    write(tree / "goed-van-start/02-eerste-les.md",
          "---\nid: eerste-les\ntitle: Les\ntype: page\nminuten: 5\n---\n")
    result = run(app, "check", tree)
    assert result.exit_code == 0, result.output
    assert "warning: unknown key 'minuten'; did you mean 'minutes'?" in result.output


def test_import_reports_and_is_idempotent(app, tree):
    """import prints a summary; a second run says nothing changed."""
    first = run(app, "import", tree)
    assert first.exit_code == 0, first.output
    assert "lessons      3 added" in first.output
    second = run(app, "import", tree)
    assert "lessons      0 added, 0 changed, 0 archived, 0 restored, 3 unchanged" in second.output
    assert "Nothing changed." in second.output


def test_import_refuses_an_invalid_tree(app, tree):
    """import with an error prints it and writes nothing."""
    write(tree / "goed-van-start/03-x.md", "---\nid: x\ntitle: X\ntype: quizz\n---\n")
    result = run(app, "import", tree)
    assert result.exit_code == 1
    assert "goed-van-start/03-x.md:4: type" in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(select(Course)) is None


def test_new_scaffolds_a_course_that_passes_check(app, tmp_path):
    """new creates course.md and an example lesson with ids, and the result checks clean."""
    result = run(app, "new", "mijn-cursus", "--dir", tmp_path / "courses")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "courses/mijn-cursus"
    assert (folder / "course.md").read_text().startswith("---\nid: mijn-cursus\n")
    check = run(app, "check", tmp_path / "courses")
    assert check.exit_code == 0 and "0 error(s), 0 warning(s)" in check.output
    assert run(app, "import", tmp_path / "courses").exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Lesson.slug)) == "welkom"
    again = run(app, "new", "mijn-cursus", "--dir", tmp_path / "courses")
    assert again.exit_code != 0 and "already exists" in again.output
    bad = run(app, "new", "Mijn Cursus", "--dir", tmp_path / "courses")
    assert bad.exit_code != 0 and "not a valid id" in bad.output


def test_adopt_adds_front_matter_to_plain_markdown(app, tmp_path):
    """adopt gives plain files unique ids and type page, and leaves existing front matter; a
    first heading that several files share is no title (the file name is), and no body keeps
    an H1 next to the page's title."""
    folder = tmp_path / "courses/oude-cursus"
    write(folder / "01-intro.md", "# Welkom in de klas!\n\nTekst.\n")
    write(folder / "02-nog-een.md", "# Welkom in de klas!\n\nAndere tekst.\n")
    write(folder / "03-zonder-kop.md", "Alleen tekst.\n")
    kept = write(folder / "04-klaar.md", "---\nid: klaar\ntitle: Klaar\ntype: page\n---\nTekst.\n")
    before = kept.read_text()
    result = run(app, "adopt", tmp_path / "courses")
    assert result.exit_code == 0, result.output
    # 01-intro.md: the shared heading is no title, and 'intro' is generic: the heading stays
    assert (folder / "01-intro.md").read_text() == (
        "---\nid: welkom-in-de-klas\ntitle: Welkom in de klas!\ntype: page\n---\n\nTekst.\n")
    assert (folder / "02-nog-een.md").read_text() == (
        "---\nid: nog-een\ntitle: Nog een\ntype: page\n---\n\n## Welkom in de klas!\n\n"
        "Andere tekst.\n")
    assert "id: zonder-kop\ntitle: Zonder kop\n" in (folder / "03-zonder-kop.md").read_text()
    assert kept.read_text() == before
    assert (folder / "course.md").read_text().startswith("---\nid: oude-cursus\n")
    check = run(app, "check", tmp_path / "courses")
    assert check.exit_code == 0, check.output


def test_adopt_never_writes_through_a_symbolic_link(app, tmp_path):
    """A lesson or course folder that links elsewhere is skipped with a message; the file it
    points to keeps its bytes, and the real files next to it are adopted as usual."""
    outside = write(tmp_path / "elders/geheim.md", "# Geheim\n\nNiet van ons.\n")
    write(tmp_path / "elders/cursus/01-les.md", "# Les\n")
    folder = tmp_path / "courses/oude-cursus"
    write(folder / "01-intro.md", "# Intro\n")
    (folder / "02-geheim.md").symlink_to(outside)
    (folder / "03-ook-intro.md").symlink_to("01-intro.md")
    (tmp_path / "courses/gelinkt").symlink_to(tmp_path / "elders/cursus")
    result = run(app, "adopt", tmp_path / "courses")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (f"skipped {folder}/02-geheim.md: is a symbolic link to '{outside}', "
            "outside the course tree") in lines
    assert f"skipped {folder}/03-ook-intro.md: is a symbolic link; adopt only edits real files" in lines
    assert (f"skipped {tmp_path}/courses/gelinkt: is a symbolic link to "
            f"'{tmp_path}/elders/cursus', outside the course tree") in lines
    assert outside.read_text() == "# Geheim\n\nNiet van ons.\n"
    assert (tmp_path / "elders/cursus/01-les.md").read_text() == "# Les\n"
    assert not (tmp_path / "elders/cursus/course.md").exists()
    assert (folder / "01-intro.md").read_text().startswith("---\nid: intro\n")
    assert "2 file(s) changed." in lines  # 01-intro.md and the new course.md


def test_strict_makes_an_unknown_key_an_error(app, tree):
    """A typo in an optional key is a warning; --strict (the CI recipe) makes it exit 1 and
    keeps the did-you-mean."""
    write(tree / "goed-van-start/course.md",
          "---\nid: goed-van-start\ntitle: G\ncompetencies: [bekwaamheidseisen:pedagogisch]\n---\n")
    lenient = run(app, "check", tree)
    assert lenient.exit_code == 0, lenient.output
    typo = "goed-van-start/course.md:4: competencies: {}unknown key 'competencies'; " \
           "did you mean 'competences'?"
    assert typo.format("warning: ") in lenient.output
    strict = run(app, "check", "--strict", tree)
    assert strict.exit_code == 1
    assert typo.format("") in strict.output and "1 error(s), 0 warning(s)" in strict.output
    refused = run(app, "import", "--strict", tree)
    assert refused.exit_code == 1 and "nothing was imported" in refused.output
    with app.app_context():
        assert db.session.scalar(select(Course)) is None
