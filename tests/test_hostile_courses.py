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


# --- files that are not what they seem: huge files -------------------------------------------

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
