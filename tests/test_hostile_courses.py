"""Course trees written to hurt: ``lms courses check`` and ``import`` refuse them with one
``path:line: field: message`` line each, quickly, instead of hanging, growing without bound
or reading files outside the tree."""
from __future__ import annotations

from sqlalchemy import func, select

from lms.commands.courses import courses_group
from lms.extensions import db
from lms.models import Lesson
from tests.fixtures.content import tree, write  # noqa: F401

LESSON = "goed-van-start/03-bom.md"


def run(app, *args):
    return app.test_cli_runner().invoke(courses_group, [str(a) for a in args])


def refused(app, root, expected: str) -> None:
    """check prints ``expected`` and fails; import prints it too and writes nothing."""
    checked = run(app, "check", root)
    assert checked.exception is None or isinstance(checked.exception, SystemExit), checked.exc_info
    assert checked.exit_code == 1 and expected in checked.output.splitlines(), checked.output
    imported = run(app, "import", root)
    assert imported.exit_code == 1 and expected in imported.output.splitlines(), imported.output
    assert "nothing was imported" in imported.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lesson)) == 0


def billion_laughs(levels: int = 9) -> str:
    """YAML whose last key expands to 9**levels strings through nested aliases."""
    lines = ['a0: &a0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_front_matter_is_refused_at_the_anchor(app, tree):
    """Nine levels of aliases (387,420,489 strings once expanded) stop at the first anchor."""
    text = "---\nid: bom\ntitle: Bom\ntype: page\n" + billion_laughs() + "---\nTekst.\n"
    assert len(text.encode()) < 600
    write(tree / LESSON, text)
    refused(app, tree, f"{LESSON}:5: front matter: anchor '&a0' is not allowed: "
                       "write each value out where it is used")


def test_alias_bomb_in_a_framework_is_refused(app, tree):
    """frameworks/*.yml get the same protection as front matter."""
    write(tree / "frameworks/bom.yml", "id: bom\ntitle: Bom\nitems: []\n" + billion_laughs())
    refused(app, tree, "frameworks/bom.yml:4: yaml: anchor '&a0' is not allowed: "
                       "write each value out where it is used")


def test_alias_and_merge_key_without_anchor_are_refused(app, tree):
    """An alias to an undefined anchor and a '<<' merge key are refused at their line."""
    write(tree / LESSON, "---\nid: bom\ntitle: Bom\ntype: page\nminutes: *tijd\n---\n")
    refused(app, tree, f"{LESSON}:5: front matter: alias '*tijd' is not allowed: "
                       "write the value out where it is used")
    write(tree / LESSON, "---\nid: bom\ntitle: Bom\ntype: page\n<<: {minutes: 5}\n---\n")
    refused(app, tree, f"{LESSON}:5: front matter: merge key '<<' is not allowed: "
                       "write the keys out")


def test_deeply_nested_front_matter_is_refused(app, tree):
    write(tree / LESSON, "---\nid: bom\ntitle: Bom\ntype: page\nx: " + "[" * 21 + "]" * 21
          + "\n---\n")
    refused(app, tree, f"{LESSON}:5: front matter: nested more than 20 levels deep")


# --- files that are not what they seem: links out of the tree, huge files -------------------

SECRET = "---\nid: geheim\ntitle: Geheim\ntype: page\n---\nGEHEIM-1234\n"


def test_lesson_linked_to_a_file_outside_the_tree_is_refused(app, tree, tmp_path):
    """A lesson that is a symlink to a file elsewhere is named, never read or imported."""
    secret = write(tmp_path / "elders/secret.md", SECRET)
    (tree / "goed-van-start/03-geheim.md").symlink_to(secret)
    refused(app, tree, f"goed-van-start/03-geheim.md:0: file: is a symbolic link to '{secret}', "
                       "outside the course tree: copy the file into the tree")
    assert "GEHEIM" not in run(app, "check", tree).output


def test_course_folder_linked_outside_the_tree_is_refused(app, tree, tmp_path):
    outside = tmp_path / "elders/cursus"
    write(outside / "course.md", "---\nid: elders\ntitle: Elders\n---\n")
    write(outside / "01-geheim.md", SECRET)
    (tree / "elders").symlink_to(outside)
    refused(app, tree, f"elders/:0: folder: is a symbolic link to '{outside}', "
                       "outside the course tree: copy the folder into the tree")


def test_framework_linked_to_a_file_outside_the_tree_is_refused(app, tree, tmp_path):
    system_file = write(tmp_path / "etc/kader.yml", "id: kader\ntitle: Kader\nitems: []\n")
    (tree / "frameworks/kader.yml").symlink_to("../../etc/kader.yml")
    assert (tree / "frameworks/kader.yml").read_text() == system_file.read_text()
    refused(app, tree, "frameworks/kader.yml:0: file: is a symbolic link to "
                       "'../../etc/kader.yml', outside the course tree: copy the file into the tree")


def test_links_and_images_may_not_leave_the_tree(app, tree, tmp_path):
    """Relative targets outside the tree are broken links, also through a symlinked image."""
    write(tmp_path / "elders/foto.png", "geen plaatje")
    (tree / "goed-van-start/media/foto.png").symlink_to(tmp_path / "elders/foto.png")
    lesson = tree / "goed-van-start/02-eerste-les.md"
    lesson.write_text(lesson.read_text() + "\n[wachtwoorden](../../../../etc/passwd)\n\n"
                      "![foto](media/foto.png)\n")
    lines = len(lesson.read_text().splitlines())
    path = "goed-van-start/02-eerste-les.md"
    refused(app, tree, f"{path}:{lines - 2}: link: broken link: '../../../../etc/passwd' "
                       "points outside the course tree")
    refused(app, tree, f"{path}:{lines}: image: broken image: 'media/foto.png' "
                       "points outside the course tree")


def test_links_that_stay_inside_the_tree_keep_working(app, tree):
    """A course may share another course's media folder through a symlink inside the tree."""
    (tree / "klassenmanagement/media").symlink_to("../goed-van-start/media")
    lesson = tree / "klassenmanagement/01-routines.md"
    lesson.write_text(lesson.read_text() + "\n![Schema](media/schema.png)\n")
    checked = run(app, "check", tree)
    assert checked.exit_code == 0 and "0 error(s)" in checked.output, checked.output
    assert run(app, "import", tree).exit_code == 0
    with app.app_context():
        html = db.session.scalar(select(Lesson.html).where(Lesson.slug == "routines"))
        assert '<img alt="Schema" src="/assets/' in html


def test_huge_lesson_is_refused_before_it_is_read(app, tree):
    """A 54 MB lesson is measured, not read: one line names the size and the setting."""
    with (tree / LESSON).open("wb") as fh:
        fh.truncate(54_000_000)  # sparse: costs no disk, and would read as 54 MB of NUL
    refused(app, tree, f"{LESSON}:0: file: is 54,000,000 bytes; a course file may be at most "
                       "1,000,000 bytes (setting COURSE_FILE_MAX_BYTES)")


def test_file_size_limit_is_a_setting_and_covers_frameworks(app_factory, tree):
    app = app_factory(COURSE_FILE_MAX_BYTES=200)
    size = (tree / "frameworks/bekwaamheidseisen.yml").stat().st_size
    refused(app, tree, f"frameworks/bekwaamheidseisen.yml:0: file: is {size:,} bytes; a course "
                       "file may be at most 200 bytes (setting COURSE_FILE_MAX_BYTES)")


# --- Markdown the renderer cannot take: refused by check, before import renders it ---------

def lesson_with(body: str) -> str:
    return "---\nid: bom\ntitle: Bom\ntype: page\n---\nInleiding.\n\n" + body + "\n"


def test_thousand_nested_list_markers_are_refused_not_a_recursion_error(app, tree):
    write(tree / LESSON, lesson_with("- " * 1000 + "diep"))
    refused(app, tree, f"{LESSON}:8: markdown: lists, quotes or indentation nested more than "
                       "20 levels deep")


def test_deep_quotes_and_indentation_are_refused(app, tree):
    write(tree / LESSON, lesson_with("> " * 21 + "citaat"))
    refused(app, tree, f"{LESSON}:8: markdown: lists, quotes or indentation nested more than "
                       "20 levels deep")
    write(tree / LESSON, lesson_with("\n".join("    " * n + "- punt" for n in range(30))))
    refused(app, tree, f"{LESSON}:28: markdown: lists, quotes or indentation nested more than "
                       "20 levels deep")


def test_bracket_runs_are_refused_instead_of_taking_minutes(app, tree):
    write(tree / LESSON, lesson_with("Zie hier:\n" + "[" * 30_000))
    refused(app, tree, f"{LESSON}:9: markdown: more than 20 '[' left open in one paragraph; "
                       "close them with ']' or write '\\['")
    write(tree / LESSON, lesson_with("[a](" * 7_000))
    refused(app, tree, f"{LESSON}:8: markdown: more than 20 '(' left open in one paragraph; "
                       "close them with ')' or write '\\('")
    write(tree / LESSON, lesson_with("<a\n\n" * 5_000))
    refused(app, tree, f"{LESSON}:48: markdown: more than 20 '<' tags opened without a '>'; "
                       "close them or write '&lt;'")


def test_many_unclosed_code_fences_are_refused(app, tree):
    write(tree / LESSON, lesson_with("~~~ {.python}\ncode\n" * 5_000))
    refused(app, tree, f"{LESSON}:48: markdown: more than 20 code fences (``` or ~~~) are "
                       "never closed; close each with the same fence")


def test_deep_but_sound_markdown_still_imports(app, tree):
    """Twenty levels, brackets in code and escaped brackets are fine."""
    body = ("- " * 20 + "diep\n\n```text\n" + "[" * 500 + "\n```\n\n" + "\\[" * 500
            + "\n\n" + "[link](02-eerste-les.md) " * 100)
    write(tree / LESSON, lesson_with(body))
    checked = run(app, "check", tree)
    assert checked.exit_code == 0 and "0 error(s)" in checked.output, checked.output
    assert run(app, "import", tree).exit_code == 0
    with app.app_context():
        html = db.session.scalar(select(Lesson.html).where(Lesson.slug == "bom"))
        assert html.count("<ul>") == 20 and "[" * 500 in html


def test_slow_markdown_is_stopped_by_the_render_budget(app_factory, tree):
    """Markdown no shape rule catches (40,000 equal headings: the table of contents numbers
    each one by counting up from the first) is stopped at COURSE_RENDER_SECONDS, by check
    and by import alike."""
    app = app_factory(COURSE_RENDER_SECONDS=0.2)
    write(tree / LESSON, lesson_with("# Kop\n\n" * 40_000))
    refused(app, tree, f"{LESSON}:6: markdown: takes longer than 0.2 s to render (setting "
                       "COURSE_RENDER_SECONDS): split the file or simplify it")


def test_unusable_link_targets_are_broken_links_not_tracebacks(app, tree):
    lesson = tree / "goed-van-start/02-eerste-les.md"
    first = len(lesson.read_text().splitlines()) + 2
    lesson.write_text(lesson.read_text() + "\n[nul](a%00b)\n\n[lang](" + "a" * 300 + ".md)\n\n"
                      "[ipv6](http://[oeps)\n")
    path = "goed-van-start/02-eerste-les.md"
    refused(app, tree, f"{path}:{first}: link: broken link: 'a%00b' is not a usable address "
                       "(embedded null byte)")
    refused(app, tree, f"{path}:{first + 2}: link: broken link: '{'a' * 300}.md' is not a "
                       "usable address (File name too long)")
    refused(app, tree, f"{path}:{first + 4}: link: broken link: 'http://[oeps' is not a usable "
                       "address (Invalid IPv6 URL)")
