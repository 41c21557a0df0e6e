"""Fuzzing the course checker and importer with random front matter and Markdown, YAML
aliases, runs of nesting and brackets, and symbolic links in and out of the tree: they never
crash or hang, every problem points at a real file and line, a refused import changes
nothing, and nothing outside the tree reaches the database."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lms.commands.courses import courses_group
from lms.content import check_directory
from lms.extensions import db

CONTENT_TABLES = ("competence_framework", "competence", "course", "lesson", "track",
                  "track_course", "asset")
FRAMEWORK = """\
id: fw
title: Raamwerk
items:
  - code: a
    title: A
  - code: b
    title: B
"""

# Text that is hard on parsers: YAML and Markdown syntax, tabs, stray front-matter markers,
# right-to-left and zero-width characters, lone surrogates are left out (not UTF-8).
ODD = st.sampled_from(["---", "...", "\t", "  ", ":", "- ", "[", "]", "{", "}", "#", "&a", "*a",
                       "!!python/object:os.system", "'", '"', "|", ">", "\u202e", "\u200b",
                       "\ufeff", "é", "ß", "😀", "\r\n", "\n", "%YAML 1.2", "<script>", "0x1F",
                       "1e999", "~", "null", "yes"])
TEXT = st.lists(st.one_of(ODD, st.text(max_size=12)), max_size=6).map("".join)
SLUGS = st.sampled_from(["c", "l1", "l2", "t", "fw", "Bad_Id", "", "a-", "x" * 70, "ü"])
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, SLUGS,
              st.integers(min_value=-2**70, max_value=2**70)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(TEXT, SLUGS), inner, max_size=3)),
    max_leaves=6)
COMPETENCES = st.lists(st.sampled_from(["fw:a", "fw:b", "fw:zz", "nope:a", "fw", 3, None]),
                       max_size=3)
QUIZ = st.just([{"id": "q1", "text": "Vraag?", "kind": "single",
                 "options": [{"text": "ja", "correct": True}, {"text": "nee", "correct": False}]}])
LESSON_KEYS = {
    "id": SLUGS, "title": st.one_of(TEXT, VALUES), "order": st.one_of(st.integers(), VALUES),
    "type": st.sampled_from(["page", "quiz", "reflection", "assignment", "video", "", 3]),
    "minutes": st.one_of(st.integers(-5, 20_000), VALUES), "required": VALUES,
    "competences": st.one_of(COMPETENCES, VALUES), "questions": st.one_of(QUIZ, VALUES),
    "pass_score": VALUES, "prompts": VALUES, "sign_off": VALUES, "submission": VALUES,
}
COURSE_KEYS = {
    "id": SLUGS, "title": st.one_of(TEXT, VALUES), "summary": VALUES,
    "audience": st.one_of(st.just(["learner"]), VALUES), "sectors": VALUES,
    "language": st.sampled_from(["nl", "en", "xx", 1]), "hours": VALUES, "nlqf": VALUES,
    "competences": st.one_of(COMPETENCES, VALUES), "prerequisites": st.one_of(
        st.lists(SLUGS, max_size=2), VALUES), "version": VALUES,
}
TRACK_KEYS = {
    "id": SLUGS, "title": st.one_of(TEXT, VALUES), "nlqf": VALUES, "duration_months": VALUES,
    "hours_target": VALUES, "credential": st.one_of(
        st.fixed_dictionaries({"name": TEXT, "validity_years": VALUES}), VALUES),
    "courses": st.one_of(st.lists(st.one_of(SLUGS, st.fixed_dictionaries(
        {"course": SLUGS}, optional={"required": VALUES, "after": st.lists(SLUGS, max_size=2)})),
        max_size=3), VALUES),
}


SOUND = {"id": None, "title": st.one_of(st.just("Titel"), st.text(min_size=1, max_size=20)),
         "type": st.just("page"), "courses": st.just(["c"]), "minutes": st.integers(0, 600),
         "competences": st.lists(st.sampled_from(["fw:a", "fw:b"]), unique=True, max_size=2),
         "summary": st.text(max_size=30)}


def front_matter(keys: dict, slug: str | None = None) -> st.SearchStrategy[str]:
    """Known keys with good and bad values, unknown keys, then maybe broken as text; with
    ``slug``, a sound front matter with that id (so some trees import)."""
    if slug is not None:
        sound = {k: st.just(slug) if k == "id" else v for k, v in SOUND.items() if k in keys}
        return st.fixed_dictionaries(sound).map(
            lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    mapping = st.fixed_dictionaries({}, optional=keys).flatmap(lambda known: st.dictionaries(
        TEXT, VALUES, max_size=2).map(lambda extra: {**extra, **known}))
    dumped = mapping.map(lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    broken = st.tuples(dumped, st.integers(0, 200), ODD).map(
        lambda t: t[0][:t[1]] + t[2] + t[0][t[1]:])
    return st.one_of(dumped, dumped, broken, TEXT)


BODY_LINES = st.sampled_from([
    "# Kop", "Tekst met *nadruk*.", "[volgende](l2.md)", "[weg](missing.md)", "![plaatje](img.png)",
    "![weg](nope.png)", "[buiten](../../etc/passwd)", "[js](javascript:alert(1))",
    "<img src=\"img.png\">", "<a href='l1.md#x'>a</a>", "```", "~~~", "---", "...",
    "[ref]: l1.md", "`[code](missing.md)`", "\t- lijst", "<script>alert(1)</script>", "[](",
])
# Runs that make python-markdown recurse or rescan: up to the limit of 20 (sound trees import
# them) and over it (refused with a problem line).
RUNS = st.sampled_from(["- ", "> ", "    ", "1. ", "[", "![", "[a](", "(", "<a ", "~~~ {.x}\n",
                        "```\n"])
HOSTILE = st.tuples(RUNS, st.sampled_from([19, 20, 21, 40, 3000])).map(
    lambda t: t[0] * t[1] + "x")
DEEP_BUT_SOUND = st.tuples(RUNS, st.sampled_from([19, 20])).map(lambda t: t[0] * t[1] + "x")
BODY = st.lists(st.one_of(BODY_LINES, TEXT, HOSTILE), max_size=8).map("\n".join)


SAFE_BODY = st.lists(st.sampled_from(["# Kop", "Tekst met *nadruk*.", "![plaatje](img.png)",
                                      "[volgende](l1.md)", "<script>alert(1)</script>"])
                     | st.text(max_size=30) | DEEP_BUT_SOUND, max_size=5).map("\n\n".join)


HOSTILE_YAML = st.sampled_from([
    "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",  # a small billion laughs
    "b: *nergens\n", "<<: {title: Samengevoegd}\n", "x: " + "[" * 25 + "]" * 25 + "\n",
    "x: " + "[" * 20 + "]" * 20 + "\n", "x: &a 1\n"])


@st.composite
def markdown_file(draw, keys: dict, slug: str | None = None) -> str:
    """A Markdown file: usually front matter and a body, sometimes something odd around it;
    with ``slug`` a sound file with that id."""
    if slug is not None:
        return f"---\n{draw(front_matter(keys, slug))}---\n{draw(SAFE_BODY)}"
    shape = draw(st.sampled_from(["normal"] * 3 + ["no-close", "none", "bom", "crlf", "yaml"]))
    matter, body = draw(front_matter(keys)), draw(BODY)
    if shape == "yaml":  # the YAML tricks that expand or nest without bound
        matter = draw(HOSTILE_YAML) + matter
    text = {"normal": f"---\n{matter}---\n{body}", "no-close": f"---\n{matter}\n{body}",
            "none": body, "bom": f"\ufeff---\n{matter}---\n{body}",
            "crlf": f"---\r\n{matter}---\r\n{body}".replace("\n", "\r\n"),
            "yaml": f"---\n{matter}---\n{body}"}[shape]
    return text


@st.composite
def course_tree(draw) -> dict[str, str]:
    """Relative path → text of a small tree: a framework, a course with lessons, maybe a track.
    Half of the trees are sound but for at most one file, so the import path is fuzzed too."""
    sound = draw(st.booleans())
    spoilt = draw(st.sampled_from(["none", "c/course.md", "c/l1.md", "tracks/t.md"]))

    def file(rel: str, keys: dict, slug: str) -> str:
        return draw(markdown_file(keys, slug if sound and rel != spoilt else None))

    files = {"frameworks/fw.yml": FRAMEWORK, "c/course.md": file("c/course.md", COURSE_KEYS, "c")}
    names = ["l1.md"] if sound else draw(st.lists(
        st.sampled_from(["l1.md", "l2.md", "03-x.md"]), max_size=3, unique=True))
    for name in names:
        files[f"c/{name}"] = file(f"c/{name}", LESSON_KEYS, name[:-3])
    if draw(st.booleans()):
        files["tracks/t.md"] = file("tracks/t.md", TRACK_KEYS, "t")
    if not sound and draw(st.booleans()):  # a second course folder, maybe without course.md
        files["d/course.md" if draw(st.booleans()) else "d/l1.md"] = draw(
            markdown_file(COURSE_KEYS))
    if not sound and draw(st.booleans()):  # a symbolic link, out of the tree or inside it
        rel, target = draw(st.sampled_from(LINKS))
        if not any(name.startswith(rel + "/") for name in files):
            files[rel] = Link(target)
    if not sound and draw(st.booleans()):
        files["frameworks/fw.yml"] = FRAMEWORK + draw(HOSTILE_YAML)
    return files


@dataclass(frozen=True)
class Link:
    """A symbolic link in a generated tree (the tree is written to ``<tmp>/tree``)."""

    target: str


LINKS = [("c/09-geheim.md", "../../buiten/geheim.md"), ("c/09-kopie.md", "l1.md"),
         ("e", "../buiten/cursus"), ("frameworks/buiten.yml", "../../buiten/kader.yml"),
         ("c/img.png", "../../buiten/foto.png"), ("tracks", "../buiten/cursus"),
         ("c/09-rond.md", "09-rond.md")]
OUTSIDE = {"geheim.md": "---\nid: geheim\ntitle: GEHEIM\ntype: page\n---\nGEHEIM\n",
           "cursus/course.md": "---\nid: buiten\ntitle: GEHEIM\n---\nGEHEIM\n",
           "kader.yml": "id: buiten\ntitle: GEHEIM\nitems: []\n", "foto.png": "GEHEIM"}


def _write(root: Path, files: dict[str, str | Link]) -> None:
    for rel, text in OUTSIDE.items():
        (root.parent / "buiten" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root.parent / "buiten" / rel).write_text(text)
    if "c/img.png" not in files:
        files = {**files, "c/img.png": "\x89PNG\r\n\x1a\n"}
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, Link):
            path.symlink_to(text.target)
        else:
            path.write_bytes(text.encode("utf-8", "surrogatepass"))


def _snapshot() -> dict[str, list]:
    """Every content row, for comparing the database before and after an import."""
    rows = {}
    for name in CONTENT_TABLES:
        table = db.metadata.tables[name]
        columns = [c for c in table.columns if c.name != "data"]
        rows[name] = sorted(map(repr, db.session.execute(sa.select(*columns)).all()))
    return rows


def _problems_point_at_lines(root: Path, problems) -> list[str]:
    wrong = []
    for problem in problems:
        shown = str(problem)
        target = root / problem.path
        if problem.path.endswith("/"):  # a whole folder (no course.md): line 0 by design
            ok = target.is_dir() and problem.line == 0
        elif problem.line == 0:  # a whole file, named but not read (a link out of the tree)
            ok = problem.field == "file" and target.is_symlink()
        else:
            lines = target.read_bytes().count(b"\n") + 1 if target.is_file() else 0
            ok = 1 <= problem.line <= lines
        one_line = shown.isprintable() and shown.startswith(
            f"{problem.path}:{problem.line}: {problem.field}: ")
        if not ok or not one_line or not problem.field.strip() or not problem.message.strip():
            wrong.append(shown)
    return wrong


# The app fixture is shared by all examples on purpose: each example writes its own tree in a
# fresh temporary folder and compares the database with itself before and after, so content a
# previous example imported does not make an example pass or fail wrongly.
@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=course_tree())
def test_checker_and_importer_survive_any_course_tree(app, runner, files):
    """Random front matter and Markdown never crash ``lms courses check`` or ``import``; every
    problem names a real file and line; a refused import leaves the database as it was."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "tree"
        _write(root, files)
        with app.app_context():
            problems = check_directory(root)
            assert _problems_point_at_lines(root, problems) == []
            before = _snapshot()
        errors = [p for p in problems if p.is_error]
        checked = runner.invoke(courses_group, ["check", str(root)])
        assert isinstance(checked.exception, (SystemExit, type(None))), checked.exc_info
        assert checked.exit_code == (1 if errors else 0), checked.output
        assert all(str(p) in checked.output for p in problems)
        imported = runner.invoke(courses_group, ["import", str(root)])
        assert isinstance(imported.exception, (SystemExit, type(None))), imported.exc_info
        assert imported.exit_code == (1 if errors else 0), imported.output
        event("refused" if errors else "imported")
        if errors:
            assert "nothing was imported" in imported.output
            with app.app_context():
                assert _snapshot() == before
        if any(isinstance(text, Link) for text in files.values()):
            with app.app_context():  # nothing outside the tree reached the database
                assert "GEHEIM" not in repr(_snapshot())
