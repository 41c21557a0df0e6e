"""The assignment plugin's table: submissions and their sign-off. Files are stored in the
database so several app servers share them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.extensions import db
from lms.models.accounts import User
from lms.models.base import UTCDateTime, utcnow
from lms.models.content import Lesson


class AssignmentSubmission(db.Model):
    """One hand-in of an assignment; a returned one is followed by a new submission."""

    __tablename__ = "assignment_submission"
    __table_args__ = (
        Index("ix_assignment_submission_user_lesson", "user_id", "lesson_id"),
        # At most one submission per learner and lesson waits for sign-off (a partial unique
        # index, on SQLite and PostgreSQL alike): two hand-ins at the same moment make one.
        Index("uq_assignment_submission_open", "user_id", "lesson_id", unique=True,
              sqlite_where=text("status = 'submitted'"),
              postgresql_where=text("status = 'submitted'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(16), default="submitted",  # approved, returned
                                        index=True)
    feedback: Mapped[str] = mapped_column(Text, default="")
    # The lesson's criteria as the reviewer ticked them at the decision (the texts, so they
    # keep their meaning when the lesson changes): [{"criterion": "...", "met": true}, ...].
    criteria: Mapped[list | None] = mapped_column(JSON)
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lesson: Mapped[Lesson] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
