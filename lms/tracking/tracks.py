"""Tracks (leerroutes): enrolment, exemptions (vrijstellingen), deadlines and credentials.
How a track's courses lock and unlock for a learner is read in ``lms.readmodels.steps``."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from lms.clock import local_date
from lms.extensions import db
from lms.models.audit import audit
from lms.models.base import utcnow
from lms.models.content import Course, Track, TrackCourse
from lms.models.progress import Enrolment, Exemption
from lms.tracking.dates import add_months, validity_status
from lms.tracking.records import announce_records, note_record, track_registration
from lms.tracking.state import (insert_ignoring_conflicts, refresh_course_state,
                                refresh_track_state)


class TrackError(ValueError):
    """A track action that cannot be done; the message says why (shown to the user)."""


# --- deadlines and credentials -------------------------------------------------------------


def track_deadline(track: Track, enrolled_at: datetime) -> date | None:
    """Enrolment day plus the track's duration in calendar months (None without a duration)."""
    if not track.duration_months:
        return None
    return add_months(local_date(enrolled_at), track.duration_months)


def credential_status(credential: Any, today: date) -> str:
    """``valid``, ``expiring`` (within 90 days) or ``expired``."""
    return validity_status(credential.expires_at, today)


# --- writes ------------------------------------------------------------------------------------


def enrol(learner: Any, *, course: Course | None = None, track: Track | None = None,
          by: Any = None, at: datetime | None = None) -> Enrolment:
    """Enrol a learner in one course or track (idempotent: an existing enrolment is returned).

    ``by`` is whoever enrols them (the learner themselves when None); enrolling someone else
    is audited. A track enrolment gets its deadline and counts courses already done, which can
    complete the track (and issue its credential) at once. Commits.
    """
    if (course is None) == (track is None):
        raise TrackError("enrol in exactly one course or track")
    target = course or track
    if target.archived:
        raise TrackError("this course or track is archived")
    at = at or utcnow()
    by_id = getattr(by, "id", None) or learner.id
    values = {"user_id": learner.id, "enrolled_at": at, "enrolled_by_id": by_id,
              "status": "active"}
    if course is not None:
        values["course_id"] = course.id
        where = Enrolment.course_id == course.id
    else:
        values["track_id"] = track.id
        values["deadline"] = track_deadline(track, at)
        where = Enrolment.track_id == track.id
    try:
        new_id = db.session.execute(
            insert_ignoring_conflicts(Enrolment, values).returning(Enrolment.id)).scalar()
        if new_id is not None:
            if by_id != learner.id:
                audit("enrolment.create", actor=by, subject=learner,
                      object_type="course" if course is not None else "track",
                      object_id=target.slug)
            if course is not None:
                refresh_course_state(learner.id, course.id, at)
            else:
                refresh_track_state(learner.id, track.id, at)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    announce_records()  # enrolling can complete a track at once
    return db.session.execute(
        select(Enrolment).where(Enrolment.user_id == learner.id, where)
        .execution_options(populate_existing=True)).scalar_one()


def grant_exemption(learner: Any, track: Track, course: Course, *, by: Any, reason: str,
                    at: datetime | None = None) -> Exemption:
    """Exempt a learner from a course of their track (a vrijstelling), with a reason.

    The course then counts as done for unlocking and for completing the track. Audited.
    Who may grant is checked by the caller (``access.can(by, "exemption.grant", learner)``).
    Commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise TrackError("give a reason for the exemption")
    in_track = db.session.scalar(select(TrackCourse.id).where(
        TrackCourse.track_id == track.id, TrackCourse.course_id == course.id))
    if in_track is None:
        raise TrackError("this course is not part of the track")
    at = at or utcnow()
    try:
        new_id = db.session.execute(insert_ignoring_conflicts(
            Exemption,
            {"user_id": learner.id, "track_id": track.id, "course_id": course.id,
             "granted_by_id": by.id, "reason": reason, "granted_at": at},
            ["user_id", "track_id", "course_id"]).returning(Exemption.id)).scalar()
        if new_id is not None:
            audit("exemption.grant", actor=by, subject=learner, object_type="track",
                  object_id=track.slug, detail={"course": course.slug, "reason": reason})
            note_record("exemption_granted", learner.id,
                        key=f"exemption_granted:{learner.id}:{track.id}:{course.id}",
                        object_type="course", object_id=course.slug, object_name=course.title,
                        course_id=course.id, track_id=track.id,
                        registration=track_registration(learner.id, track.id), at=at)
            refresh_track_state(learner.id, track.id, at)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    announce_records()
    return db.session.execute(select(Exemption).where(
        Exemption.user_id == learner.id, Exemption.track_id == track.id,
        Exemption.course_id == course.id)).scalar_one()
