"""Learning records beyond lesson progress: a course or track completed, a competence
confirmed, an exemption granted, a credential issued, hours logged, a reflection shared.

Like ``ProgressEvent`` (lesson progress) these rows are an append-only log, written by
``lms.tracking.records.note_record`` in the same transaction as the fact itself, so nothing
that happened is missing from it; ``key`` makes each fact one row. ``lms_learning_record``
listeners hear of them after commit. No free text is kept here (no reasons, feedback or
descriptions): only what a learning record store may receive.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

RECORD_KINDS = ("course_completed", "track_completed", "competence_confirmed",
                "exemption_granted", "credential_issued", "hours_logged", "reflection_shared")


class LearningRecordRow(db.Model):
    """One learning fact about a learner (see ``RECORD_KINDS``). Append-only."""

    __tablename__ = "learning_record"
    __table_args__ = (
        CheckConstraint("kind IN ('course_completed', 'track_completed', "
                        "'competence_confirmed', 'exemption_granted', 'credential_issued', "
                        "'hours_logged', 'reflection_shared')", name="kind"),
        Index("ix_learning_record_user_timestamp", "user_id", "timestamp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # What it is about: "course", "track", "lesson", "competence", "credential" or "hours",
    # with a stable id (a slug, "<course>/<lesson>", "framework:code", a row id).
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str] = mapped_column(String(200))
    object_name: Mapped[str] = mapped_column(String(300), default="")
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id", ondelete="SET NULL"))
    registration: Mapped[int | None] = mapped_column(
        ForeignKey("enrolment.id", ondelete="SET NULL"))
    result: Mapped[dict | None] = mapped_column(JSON)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
