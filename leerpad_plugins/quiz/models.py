"""The quiz plugin's table: one row per submitted attempt."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class QuizAttempt(db.Model):
    """A learner's answers to a quiz lesson, with the score they earned."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (Index("ix_quiz_attempt_user_lesson", "user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id → option indexes
    score: Mapped[float] = mapped_column(Float)  # percent
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
