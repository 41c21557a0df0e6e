"""Learning records beyond lesson progress: write them with the fact, announce them after.

Domain code calls ``note_record(...)`` inside the transaction that makes the fact true (a
course completed, an exemption granted...), so the record is committed with it or not at
all, and once per ``key``. After its commit it calls ``announce_records()``: every
``lms_learning_record`` listener then hears of the records this session committed. A record
committed by code that does not announce (a content import completing courses) is still in
the log (``LearningRecordRow``) for whoever reads it, e.g. the xAPI plugin's cursor.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.activities import LearningRecord
from lms.extensions import db
from lms.models.accounts import User
from lms.models.content import Course, Lesson, Track
from lms.models.progress import Enrolment
from lms.models.base import utcnow
from lms.models.records import RECORD_KINDS, LearningRecordRow

log = logging.getLogger(__name__)

_NOTED = "lms.records.noted"  # ids inserted in the open transaction
_COMMITTED = "lms.records.committed"  # ids committed, not yet announced


def note_record(kind: str, user_id: int, *, key: str, object_type: str, object_id: str,
                at: datetime, object_name: str = "", course_id: int | None = None,
                track_id: int | None = None, lesson_id: int | None = None,
                registration: int | None = None, result: dict | None = None) -> int | None:
    """Add a learning record to the caller's transaction (once per ``key``); returns its id,
    or None when the key was recorded before."""
    from lms.tracking.state import insert_ignoring_conflicts

    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown learning record {kind!r}; expected one of "
                         f"{', '.join(RECORD_KINDS)}")
    record_id = db.session.execute(insert_ignoring_conflicts(
        LearningRecordRow,
        {"kind": kind, "key": key, "user_id": user_id, "object_type": object_type,
         "object_id": object_id[:200], "object_name": (object_name or "")[:300],
         "course_id": course_id, "track_id": track_id, "lesson_id": lesson_id,
         "registration": registration, "result": result or {}, "timestamp": at},
        ["key"]).returning(LearningRecordRow.id)).scalar()
    if record_id is not None:
        db.session.info.setdefault(_NOTED, []).append(record_id)
    return record_id


def track_registration(user_id: int, track_id: int) -> int | None:
    """The learner's enrolment in the track (its id), if any."""
    return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == user_id,
                                                        Enrolment.track_id == track_id))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted:
        session.info.setdefault(_COMMITTED, []).extend(noted)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_NOTED, None)


def announce_records(pm: Any = None) -> None:
    """Call each ``lms_learning_record`` listener for every record this session committed
    since the last announcement; one that raises is logged with its plugin's name and rolled
    back, and the next one still runs."""
    from lms.plugins import get_pm

    ids = db.session.info.pop(_COMMITTED, None)
    if not ids:
        return
    pm = pm or get_pm()
    impls = [impl for impl in reversed(pm.hook.lms_learning_record.get_hookimpls())
             if not (impl.hookwrapper or impl.wrapper)]
    if not impls:
        return
    for row in db.session.scalars(select(LearningRecordRow)
                                  .where(LearningRecordRow.id.in_(ids))
                                  .order_by(LearningRecordRow.id)).all():
        shown = learning_record(row)
        for impl in impls:
            try:
                impl.function(**{name: shown for name in impl.argnames if name == "record"})
            except Exception:
                log.exception("learning-record listener of plugin %r failed for record %s",
                              impl.plugin_name, row.id)
                db.session.rollback()


def learning_record(row: LearningRecordRow) -> LearningRecord:
    """The listeners' view of a stored record: the objects it is about, loaded once."""
    get = db.session.get
    enrolment = get(Enrolment, row.registration) if row.registration else None
    return LearningRecord(
        id=row.id, kind=row.kind, key=row.key, timestamp=row.timestamp,
        learner=get(User, row.user_id), object_type=row.object_type,
        object_id=row.object_id, object_name=row.object_name or "",
        course=get(Course, row.course_id) if row.course_id else None,
        track=get(Track, row.track_id) if row.track_id else None,
        lesson=get(Lesson, row.lesson_id) if row.lesson_id else None,
        result=dict(row.result or {}), registration=enrolment.uuid if enrolment else None)


def hours_logged(entry: Any) -> int | None:
    """Note the ``hours_logged`` record of a new ``HoursEntry`` (flushed, so it has an id);
    its description and evidence are free text and stay out."""
    return note_record("hours_logged", entry.user_id, key=f"hours_logged:{entry.id}",
                       object_type="hours", object_id=str(entry.id),
                       object_name=entry.category,
                       result={"hours": float(entry.hours), "category": entry.category,
                               "date": entry.date.isoformat()},
                       at=entry.created_at or utcnow())
