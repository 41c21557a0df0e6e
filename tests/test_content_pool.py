"""A large import renders its lessons in several processes, with the same result as one."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content import ContentError
from lms.content.importer import import_directory
from lms.content.pool import MIN_FILES
from lms.extensions import db
from lms.models import Lesson
from lms.testing import write_course

LESSONS = MIN_FILES + 20


def big_course(root: Path) -> Path:
    files = {"course.md": "---\nid: groot\ntitle: Groot\nsummary: Veel lessen.\n---\nIntro.\n"}
    for n in range(LESSONS):
        files[f"{n:03d}-les.md"] = (
            f"---\nid: les-{n}\ntitle: Les {n}\ntype: page\n---\n# Kop {n}\n\n"
            f"Tekst met *nadruk* en een [link](https://example.org/{n}).\n\n"
            f"| a | b |\n|---|---|\n| {n} | {n * 2} |\n\n[Volgende]({(n + 1) % LESSONS:03d}-les.md)\n")
    return write_course(root, files)


def stored_html(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Lesson.slug, Lesson.html)).all())


def test_several_workers_store_exactly_what_one_stores(app, tmp_path, monkeypatch):
    root = big_course(tmp_path / "courses")
    with app.app_context():
        assert import_directory(root, workers=1)["lessons"].added == LESSONS
    alone = stored_html(app)
    # a new version of the pipeline renders every file again: now in two processes
    monkeypatch.setattr("lms.content.render.RENDER_VERSION", "pool-test")
    with app.app_context():
        assert import_directory(root, workers=2)["lessons"].changed == LESSONS
    assert stored_html(app) == alone
    assert '<a href="/cursussen/groot/les-8" rel="noopener">Volgende</a>' in alone["les-7"]


def test_a_file_that_fails_in_a_worker_is_reported_and_nothing_is_kept(app_factory, tmp_path):
    root = big_course(tmp_path / "courses")
    slow = root / "groot" / "050-les.md"
    slow.write_text(slow.read_text() + "# Kop\n\n" * 40_000)
    app = app_factory(COURSE_RENDER_SECONDS=0.2)
    with app.app_context(), pytest.raises(ContentError) as refused:
        import_directory(root, workers=2)
    assert [str(p) for p in refused.value.errors] == [
        "groot/050-les.md:6: markdown: takes longer than 0.2 s to render (setting "
        "COURSE_RENDER_SECONDS): split the file or simplify it"]
    assert stored_html(app) == {}
