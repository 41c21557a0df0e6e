"""A teacher's own portfolio: logged professionalisation hours, development goals (POP)
and personal API tokens. Credentials live with progress (they are issued by tracking)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

HOURS_CATEGORIES = ("cursus", "intervisie", "studiedag", "lezen", "overig")
GOAL_STATUSES = ("planned", "in_progress", "achieved", "dropped")
TOKEN_PREFIX = "lp_"


class HoursEntry(db.Model):
    """Professionalisation hours a teacher logs themselves (outside Leerpad's own courses).

    Hours are stored in quarter hours' precision (validated by the forms and the API), so
    sums of floats are exact.
    """

    __tablename__ = "hours_entry"
    __table_args__ = (
        CheckConstraint("hours > 0 AND hours <= 1000", name="hours"),
        CheckConstraint(
            "category IN ('cursus', 'intervisie', 'studiedag', 'lezen', 'overig')", name="category"
        ),
        Index("ix_hours_entry_user_date", "user_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    hours: Mapped[float] = mapped_column(Float)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[str] = mapped_column(Text, default="")  # where the proof is kept
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DevelopmentGoal(db.Model):
    """A goal in the teacher's personal development plan (POP)."""

    __tablename__ = "development_goal"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'achieved', 'dropped')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")
    target_date: Mapped[date | None] = mapped_column(Date)
    competences: Mapped[list] = mapped_column(JSON, default=list)  # "framework:code"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ApiToken(db.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; it is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user_id: int, name: str) -> tuple[ApiToken, str]:
        """A new token row and its secret (which is not stored and cannot be shown again)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(user_id=user_id, name=name, token_hash=cls.hash_secret(secret)), secret
