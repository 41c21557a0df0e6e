"""Per-account privacy bookkeeping: erasure and retention review.

Kept beside ``user_account`` (one row per account that has any of it) so the accounts
module stays about logging in.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime

ERASED_NAME = "Verwijderde gebruiker"


class PrivacyStatus(db.Model):
    __tablename__ = "privacy_status"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    flagged_for_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
