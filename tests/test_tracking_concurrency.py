"""Recording under concurrency: threads and separate processes writing the same database."""
from __future__ import annotations

import multiprocessing
import threading

from sqlalchemy import func, select

from lms import create_app
from lms.extensions import db
from lms.models import Lesson, User
from lms.models.progress import CourseState, LessonState, ProgressEvent
from lms.tracking import record_progress
from tests import builders as b

LESSONS = 5


def _record_all(app, user_id: int, lesson_ids: list[int], worker: str, barrier) -> None:
    """Record each lesson once as completed (shared key) and once as attempted (own key)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        lessons = [db.session.get(Lesson, lesson_id) for lesson_id in lesson_ids]
        barrier.wait()
        for lesson in lessons:
            record_progress(user, lesson, "completed")
            record_progress(user, lesson, "attempted", key=f"{worker}-{lesson.id}")
        db.session.remove()


def _process_main(config: dict, user_id: int, lesson_ids: list[int], worker: str, barrier) -> None:
    app = create_app(config)
    _record_all(app, user_id, lesson_ids, worker, barrier)
    with app.app_context():
        db.engine.dispose()


def _setup(app) -> tuple[int, list[int], int]:
    with app.app_context():
        course = b.course("druk", LESSONS)
        return b.user("learner").id, [lesson.id for lesson in course.lessons], course.id


def _check(app, user_id: int, course_id: int) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count(ProgressEvent.id)).where(
            ProgressEvent.verb == "completed")) == LESSONS
        assert db.session.scalar(select(func.count(ProgressEvent.id)).where(
            ProgressEvent.verb == "attempted")) == 2 * LESSONS
        states = db.session.scalars(select(LessonState)).all()
        assert len(states) == LESSONS and {s.status for s in states} == {"completed"}
        course = db.session.scalars(select(CourseState)).one()
        assert (course.user_id, course.course_id) == (user_id, course_id)
        assert (course.completed_lessons, course.percent, course.status) == (LESSONS, 100, "completed")


def test_two_threads_record_the_same_and_different_events(app, world):
    """Two threads recording at once leave one row per shared event and one per own event."""
    user_id, lesson_ids, course_id = _setup(app)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(worker: str) -> None:
        try:
            _record_all(app, user_id, lesson_ids, worker, barrier)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    _check(app, user_id, course_id)


def test_two_processes_record_the_same_and_different_events(app, world):
    """Two processes, each with its own app on the same database, record without losses or doubles."""
    user_id, lesson_ids, course_id = _setup(app)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    config = {key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "PLUGINS_DIRS")}
    config.update(TESTING=True, INSTANCE_PATH=app.instance_path)
    processes = [context.Process(target=_process_main,
                                 args=(config, user_id, lesson_ids, name, barrier))
                 for name in ("a", "b")]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
    assert [p.exitcode for p in processes] == [0, 0]
    _check(app, user_id, course_id)
