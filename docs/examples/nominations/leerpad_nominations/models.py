"""The plugin's one table: a learner nominated as a talent, by whom, and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import User
from lms.models.base import UTCDateTime, utcnow


class Nomination(db.Model):
    """A learner put forward as a talent by their mentor or schoolopleider."""

    __tablename__ = "nominations_nomination"  # <plugin>_<thing>: no clashes

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # None once the nominator's account has been erased; the nomination stays the learner's.
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    motivation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    learner: Mapped[User] = relationship(foreign_keys=[learner_id])
    nominated_by: Mapped[User | None] = relationship(foreign_keys=[nominated_by_id])
