"""Report exports prepared in the background: a large download waits here for the person who
asked for it, until it expires.

The file is kept in the shared database (like uploads), so any app server can hand it out
whichever worker made it. Only its owner may download it; erasing the owner deletes it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

QUEUED, READY, FAILED = "queued", "ready", "failed"


class ReportExport(db.Model):
    """One requested export: whose, of which organisation, in which language, and its file."""

    __tablename__ = "report_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))  # "xlsx": every table of the report
    locale: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    file_name: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
