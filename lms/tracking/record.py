"""Recording progress: the only writer of the event log and the state derived from it."""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from lms.activities import LearningEvent
from lms.extensions import db
from lms.models.base import utcnow
from lms.models.content import Lesson, TrackCourse
from lms.models.progress import VERBS, Enrolment, LessonState, ProgressEvent
from lms.tracking.completion import lesson_is_complete
from lms.tracking.records import announce_records
from lms.tracking.state import (apply_event, insert_ignoring_conflicts, locked_row,
                                refresh_course_state)

log = logging.getLogger(__name__)


def idempotency_key(user_id: int, lesson_id: int, verb: str, result: dict | None,
                    key: str | None, at: datetime) -> str:
    """The event's unique key. An explicit ``key`` is scoped to the learner, lesson and verb;
    without one, ``completed`` is once per result, ``experienced`` once per (UTC) day and
    every other verb once per moment (so a real repeat is a new row)."""
    if key is not None:
        basis: list[Any] = ["key", str(key)]
    elif verb == "experienced":
        basis = ["day", at.date().isoformat()]
    elif verb == "completed":
        basis = ["result", result]
    else:
        basis = ["time", at.isoformat(), result]
    raw = json.dumps([user_id, lesson_id, verb, *basis], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def registration_for(user_id: int, course_id: int) -> int | None:
    """The enrolment an event belongs to: the course's own, else a track holding it."""
    return db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.user_id == user_id,
            or_(Enrolment.course_id == course_id,
                Enrolment.track_id.in_(select(TrackCourse.track_id)
                                       .where(TrackCourse.course_id == course_id))))
        .order_by(Enrolment.course_id.is_(None), Enrolment.id).limit(1))


def record_progress(user: Any, lesson: Lesson, verb: str, *, result: dict | None = None,
                    registration: int | None = None, key: str | None = None,
                    timestamp: datetime | None = None) -> ProgressEvent:
    """Record that ``user`` did ``verb`` on ``lesson``; returns the stored event.

    Appends a ``ProgressEvent`` (or finds the identical one: recording is idempotent), updates
    the learner's lesson, course and track state and issues a credential when a track is
    completed, all in one transaction, and commits the session. Then every
    ``lms_progress_recorded`` listener runs; one that raises is logged with its plugin's name
    and the event stays stored. A repeated event returns the stored one and notifies nobody.
    ``timestamp`` (aware) is for importing past records; it defaults to now.
    """
    from lms.plugins import get_pm

    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}; expected one of {', '.join(VERBS)}")
    if result is not None and not isinstance(result, dict):
        raise ValueError("result must be a dict (xAPI result) or None")
    at = timestamp or utcnow()
    user_id, course_id = user.id, lesson.course_id
    event_key = idempotency_key(user_id, lesson.id, verb, result, key, at)
    if registration is None:
        registration = registration_for(user_id, course_id)
    pm = get_pm()
    try:
        # The first write of the transaction: on SQLite it takes the write lock, so
        # everything read below is current.
        event_id = db.session.execute(insert_ignoring_conflicts(
            ProgressEvent,
            {"user_id": user_id, "verb": verb, "object_id": lesson.object_id,
             "lesson_id": lesson.id, "course_id": course_id, "result": result,
             "timestamp": at, "registration": registration, "idempotency_key": event_key},
            ["idempotency_key"],
        ).returning(ProgressEvent.id)).scalar()
        if event_id is None:
            db.session.commit()
            return db.session.execute(
                select(ProgressEvent).where(ProgressEvent.idempotency_key == event_key)
            ).scalar_one()
        state = locked_row(LessonState, {"user_id": user_id, "lesson_id": lesson.id},
                           {"course_id": course_id, "updated_at": at})
        apply_event(state, verb, result, at)
        if state.status != "completed" and lesson_is_complete(pm, user, lesson, state):
            state.status = "completed"
            state.completed_at = at
        db.session.flush()
        refresh_course_state(user_id, course_id, at, last_lesson_id=lesson.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    event = db.session.get(ProgressEvent, event_id)
    notify_progress(pm, event, learner=user, lesson=lesson)
    announce_records(pm)  # the course or track this completed, a credential issued
    return event


def learning_event(event: ProgressEvent, learner: Any, lesson: Lesson) -> LearningEvent:
    """The listeners' view of a stored event: the objects it is about, loaded once."""
    enrolment = db.session.get(Enrolment, event.registration) if event.registration else None
    return LearningEvent(
        id=event.id, verb=event.verb, timestamp=event.timestamp, result=event.result,
        learner=learner, lesson=lesson, course=lesson.course,
        track=enrolment.track if enrolment is not None else None,
        registration=enrolment.uuid if enrolment is not None else None)


def notify_progress(pm: Any, event: ProgressEvent, *, learner: Any, lesson: Lesson) -> None:
    """Call each ``lms_progress_recorded`` listener on its own; log (with the plugin's name)
    and roll back after one that raises, then go on with the next."""
    impls = [impl for impl in reversed(pm.hook.lms_progress_recorded.get_hookimpls())
             if not (impl.hookwrapper or impl.wrapper)]
    if not impls:
        return
    shown = learning_event(event, learner, lesson)
    for impl in impls:
        try:
            impl.function(**{name: shown for name in impl.argnames if name == "event"})
        except Exception:
            log.exception("progress listener of plugin %r failed for event %s",
                          impl.plugin_name, event.id)
            db.session.rollback()
