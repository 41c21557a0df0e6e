"""Competence confirmation: a learner asks a mentor to confirm a competence (framework:code)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.accounts import User
from lms.models.base import UTCDateTime, utcnow


class CompetenceConfirmation(db.Model):
    __tablename__ = "competence_confirmation"
    __table_args__ = (
        CheckConstraint("status IN ('requested', 'approved', 'returned')", name="status"),
        Index("ix_competence_confirmation_mentor_status", "mentor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    competence: Mapped[str] = mapped_column(String(130))  # "framework:code"
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    feedback: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
