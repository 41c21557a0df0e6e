"""lms courses preview: the folder as learners see it, following edits, writing nothing."""
from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from lms.commands.courses import courses_group
from lms.content.importer import import_directory
from lms.content.sources import Imported
from lms.extensions import db
from lms.models import Course, Lesson
from lms.preview import create_preview_app
from lms.testing import write_course
from tests.fixtures.content import count_writes, tree, write  # noqa: F401

LESSON = "goed-van-start/02-eerste-les.md"
QUIZ = """
    ---
    id: toets
    title: Toets
    type: quiz
    pass_score: 50
    questions:
      - id: q1
        text: Hoeveel bekwaamheden zijn er?
        kind: single
        options:
          - {text: drie, correct: true}
          - {text: vier}
    ---
    Maak de toets.
    """
REFLECTION = """
    ---
    id: terugblik
    title: Terugblik
    type: reflection
    prompts:
      - {id: p1, text: Wat ging er goed in je eerste week?}
    ---
    Kijk terug.
    """


@pytest.fixture
def preview(app, tree, tmp_path):
    """A preview of the example tree, next to the test's own (migrated) platform database."""
    write(tree / "goed-van-start/03-toets.md", QUIZ)
    write(tree / "goed-van-start/04-terugblik.md", REFLECTION)
    with app.app_context():
        imported = Imported.load_if_possible("courses")
    site = create_preview_app(tree, imported=imported, config=app.config,
                              instance_path=tmp_path / "preview-instance")
    site.config["LMS_PLATFORM"] = app
    return site


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def edit(path, text: str) -> None:
    """Write ``text`` with a modification time surely later than the file's last one."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables if table.name != "search_text"}


def test_preview_serves_a_lesson_and_follows_an_edit_without_writing(app, preview, tree):
    """A lesson page shows the file as it is now: an edit shows on the next request, without
    a restart, and neither the platform's database nor the preview's own is written."""
    with app.app_context():
        import_directory(write_course(tree.parent / "elders", {
            "course.md": "---\nid: elders\ntitle: Elders\n---\n",
            "01-les.md": "---\nid: les\ntitle: Les\ntype: page\n---\nTekst.\n"}))
        platform_engine = db.engine
    with preview.app_context():
        preview_engine = db.engine
    before = row_counts(app)
    client = preview.test_client()
    with count_writes(platform_engine) as platform_writes, \
            count_writes(preview_engine) as preview_writes:
        html = page(client, "/preview/cursussen/goed-van-start/eerste-les")
        assert "<h1>Je eerste les</h1>" in html and '<div class="admonition note">' in html
        path = tree / LESSON
        edit(path, path.read_text().replace("Je eerste les", "Je allereerste les")
             + "\nEen nieuwe alinea.\n")
        html = page(client, "/preview/cursussen/goed-van-start/eerste-les")
        assert "<h1>Je allereerste les</h1>" in html and "<p>Een nieuwe alinea.</p>" in html
        assert page(client, "/preview/_changed").startswith("{")
    assert platform_writes == [] and preview_writes == []
    assert row_counts(app) == before
    with preview.app_context(), pytest.raises(sa.exc.OperationalError, match="readonly"):
        db.session.execute(sa.insert(Course).values(slug="x", title="x"))  # SQLite refuses


def test_quiz_and_reflection_are_rendered_by_their_plugins(preview):
    """The activity under a lesson comes from its type's own render function; answering is
    not part of the preview (the platform's routes are not served)."""
    client = preview.test_client()
    html = page(client, "/preview/cursussen/goed-van-start/toets")
    assert 'class="quiz-form"' in html and "Hoeveel bekwaamheden zijn er?" in html
    action = html.split('class="quiz"', 1)[1].split('action="', 1)[1].split('"', 1)[0]
    assert client.post(action, data={"q1": "0"}).status_code == 404
    html = page(client, "/preview/cursussen/goed-van-start/terugblik")
    assert 'class="reflection"' in html and "Wat ging er goed in je eerste week?" in html
    assert client.get("/inloggen").status_code == 404 and client.get("/catalogus").status_code == 404
    assert client.get("/").headers["Location"].endswith("/preview/")


def test_problems_are_shown_on_the_page_they_belong_to(preview, tree):
    """A lesson's problems on its page, course.md's on the course page, the rest (frameworks,
    files that are no lesson) on the start page; the page follows the fix."""
    path = tree / LESSON
    edit(path, path.read_text() + "\nZie [weg](bestaat-niet.md).\n")
    write(tree / "goed-van-start/05-kapot.md", "---\nid: kapot\ntitle: [oeps\n---\n")
    write(tree / "README.md", "# Over deze map\n")
    client = preview.test_client()
    html = page(client, "/preview/cursussen/goed-van-start/eerste-les")
    assert "broken link: &#39;bestaat-niet.md&#39; does not exist" in html
    course = page(client, "/preview/cursussen/goed-van-start")
    assert "goed-van-start/05-kapot.md:4</code> front matter: invalid YAML" in course, course
    assert "bestaat-niet.md" not in course
    start = page(client, "/preview/")
    assert "README.md:0</code> file: warning: ignored: a Markdown file at the top" in start
    edit(path, path.read_text().replace("Zie [weg](bestaat-niet.md).", ""))
    assert "Problems in this file" not in page(client, "/preview/cursussen/goed-van-start/eerste-les")


def test_preview_serves_the_folders_files_and_nothing_outside_it(preview, tree, tmp_path):
    """Images a lesson shows are served from the folder; nothing outside it, links included."""
    client = preview.test_client()
    html = page(client, "/preview/cursussen/goed-van-start/jouw-start")
    assert 'src="/preview/files/goed-van-start/media/schema.png"' in html
    with client.get("/preview/files/goed-van-start/media/schema.png") as image:
        assert image.status_code == 200
        assert image.data == (tree / "goed-van-start/media/schema.png").read_bytes()
    (tmp_path / "geheim.txt").write_text("geheim")
    (tree / "goed-van-start/media/geheim.txt").symlink_to(tmp_path / "geheim.txt")
    for url in ("/preview/files/goed-van-start/media/geheim.txt", "/preview/files/../geheim.txt",
                "/preview/files/%2e%2e/geheim.txt", "/preview/files/bestaat/niet.png"):
        assert client.get(url).status_code == 404, url


def test_preview_resolves_references_to_other_sources(app, tree, tmp_path):
    """A track naming a course another source imported checks clean, and says where from."""
    with app.app_context():
        import_directory(write_course(tmp_path / "team-vo", {
            "course.md": "---\nid: vo-start\ntitle: Start in het vo\n---\n"}))
        imported = Imported.load("courses")
    write(tree / "tracks/samen.md", "---\nid: samen\ntitle: Samen\ncourses: [goed-van-start, vo-start]\n---\n")
    site = create_preview_app(tree, imported=imported, config=app.config,
                              instance_path=tmp_path / "preview-instance")
    client = site.test_client()
    start = page(client, "/preview/")
    assert "tracks/samen.md:4: courses[1].course: course &#39;vo-start&#39; from source " \
           "&#39;team-vo&#39;" in start
    assert "0 error(s)" in start
    track = page(client, "/preview/leerroutes/samen")
    assert "Start in het vo <span class=\"hint\">(from source 'team-vo')</span>" in track


def test_preview_command_listens_on_this_computer_only_by_default(app, tree, monkeypatch):
    """lms courses preview binds to 127.0.0.1 unless told otherwise, and does not reload."""
    import werkzeug.serving

    calls = []
    monkeypatch.setattr(werkzeug.serving, "run_simple",
                        lambda host, port, application, **kw: calls.append((host, port, kw)))
    result = app.test_cli_runner().invoke(courses_group, ["preview", str(tree)])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 5050, {"use_reloader": False, "threaded": False})]
    assert f"Preview of {tree} (source 'courses') at http://127.0.0.1:5050/" in result.output
    wide = app.test_cli_runner().invoke(courses_group, ["preview", str(tree), "--host", "0.0.0.0"])
    assert "Warning: listening on 0.0.0.0" in wide.output
