"""Tracks (leerroutes): enrolment, prerequisites and unlocking, exemptions (vrijstellingen),
deadlines and credentials."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models.audit import audit
from lms.models.base import utcnow
from lms.models.content import Course, Track, TrackCourse
from lms.models.progress import Enrolment, Exemption
from lms.tracking.dates import add_months, local_date, validity_status
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


# --- prerequisites -------------------------------------------------------------------------


@dataclass
class TrackStep:
    """One course in a learner's track, with what still locks it."""

    course_id: int
    slug: str
    title: str
    required: bool
    status: str  # not_started | in_progress | completed | exempt
    percent: int = 0
    waiting_for: list[str] = field(default_factory=list)  # titles of unfinished `after` courses
    exemption_reason: str | None = None
    hours: float = 0.0  # the course's study load

    @property
    def locked(self) -> bool:
        return bool(self.waiting_for)

    @property
    def done(self) -> bool:
        return self.status in ("completed", "exempt")


def track_steps(entries: list[tuple[int, str, str, bool, list[str]]],
                states: dict[int, tuple[str, int]],
                exemptions: dict[int, str]) -> list[TrackStep]:
    """Lay out a track for one learner: status per course and which ``after`` courses still
    lock it. Exempted courses count as done; courses without open prerequisites run in
    parallel.

    :param entries: (course_id, slug, title, required, after-slugs) in track order.
    :param states: course id → (course state status, percent).
    :param exemptions: course id → reason.
    """
    steps, by_slug = [], {}
    for course_id, slug, title, required, _after in entries:
        status, percent = states.get(course_id, ("not_started", 0))
        if course_id in exemptions:
            status = "exempt"
        step = TrackStep(course_id, slug, title, required, status, percent,
                         exemption_reason=exemptions.get(course_id))
        steps.append(step)
        by_slug[slug] = step
    for step, (_, _, _, _, after) in zip(steps, entries):
        step.waiting_for = [by_slug[s].title if s in by_slug else s
                            for s in (after or []) if not (s in by_slug and by_slug[s].done)]
    return steps


def track_complete(steps: list[TrackStep]) -> bool:
    """All required courses completed or exempted (all courses when none is required)."""
    considered = [s for s in steps if s.required] or steps
    return bool(considered) and all(s.done for s in considered)


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
