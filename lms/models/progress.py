"""Progress: enrolments, the append-only event log and the state derived from it.

``ProgressEvent`` rows are written only by ``lms.tracking.record_progress`` and never
changed. ``LessonState``, ``CourseState`` and ``TrackState`` are derived from them (one row
per learner and lesson/course/track) so pages read progress without scanning events.
Exemptions (vrijstellingen) and credentials belong to a learner's track.
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import (JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String,
                        Text, UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.content import Course, Lesson, Track

VERBS = ("experienced", "completed", "attempted", "passed", "failed", "submitted",
         "approved", "returned")


class Enrolment(db.Model):
    """A learner enrolled in one course or one track (never both), by themselves or by a
    schoolopleider/coordinator (``enrolled_by``). The deadline comes from the track."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        UniqueConstraint("user_id", "track_id"),
        CheckConstraint("(course_id IS NULL) <> (track_id IS NULL)", name="one_target"),
        CheckConstraint("status IN ('active', 'completed', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable public id of this enrolment (xAPI's ``registration``): never reused.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid4()))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(
        ForeignKey("track.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course | None] = relationship()
    track: Mapped[Track | None] = relationship()


class ProgressEvent(db.Model):
    """One learning record, shaped like an xAPI statement: actor, verb, object, result,
    timestamp and registration (the enrolment). Append-only."""

    __tablename__ = "progress_event"
    __table_args__ = (
        CheckConstraint(
            "verb IN ('experienced', 'completed', 'attempted', 'passed', 'failed', "
            "'submitted', 'approved', 'returned')", name="verb"),
        Index("ix_progress_event_user_timestamp", "user_id", "timestamp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[str] = mapped_column(String(200))  # "<course slug>/<lesson slug>"
    lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("lesson.id", ondelete="SET NULL"), index=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="SET NULL"), index=True)
    result: Mapped[dict | None] = mapped_column(JSON)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registration: Mapped[int | None] = mapped_column(
        ForeignKey("enrolment.id", ondelete="SET NULL"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def actor_id(self) -> int:
        return self.user_id


class LessonState(db.Model):
    """A learner's state in one lesson, derived from their events."""

    __tablename__ = "lesson_state"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        CheckConstraint("status IN ('not_started', 'in_progress', 'completed')", name="status"),
        Index("ix_lesson_state_user_updated", "user_id", "updated_at"),
        Index("ix_lesson_state_user_course", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    score: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    verbs: Mapped[list] = mapped_column(JSON, default=list)  # every verb ever recorded, sorted
    last_verb: Mapped[str | None] = mapped_column(String(16))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lesson: Mapped[Lesson] = relationship()

    @property
    def signed_off(self) -> bool:
        """A mentor or schoolopleider approved the work (an ``approved`` event exists)."""
        return "approved" in (self.verbs or [])


class CourseState(db.Model):
    """A learner's progress in one course: required lessons completed out of the course's
    current required lessons. Completion is kept when lessons are added later."""

    __tablename__ = "course_state"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint("status IN ('not_started', 'in_progress', 'completed')", name="status"),
        Index("ix_course_state_user_updated", "user_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    completed_lessons: Mapped[int] = mapped_column(Integer, default=0)
    required_lessons: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    last_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()


class TrackState(db.Model):
    """A learner's progress in one track: required courses completed or exempted."""

    __tablename__ = "track_state"
    __table_args__ = (
        UniqueConstraint("user_id", "track_id"),
        CheckConstraint("status IN ('not_started', 'in_progress', 'completed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    done_courses: Mapped[int] = mapped_column(Integer, default=0)  # required: completed or exempt
    required_courses: Mapped[int] = mapped_column(Integer, default=0)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    track: Mapped[Track] = relationship()


class Exemption(db.Model):
    """A vrijstelling: a course in a learner's track counts as done (granted with a reason)."""

    __tablename__ = "exemption"
    __table_args__ = (UniqueConstraint("user_id", "track_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()


class Credential(db.Model):
    """Issued when a learner completes a track; ``expires_at`` is the last valid day."""

    __tablename__ = "credential"
    __table_args__ = (UniqueConstraint("user_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[date | None] = mapped_column(Date)

    track: Mapped[Track | None] = relationship()
