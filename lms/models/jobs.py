"""Background jobs that failed for good: kept for the administrator's page (/beheer/taken).

The queue itself (huey) lives in SQLite or Redis; a failure is written here, in the shared
database, so every app server's admin page shows every worker's failures.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class JobFailure(db.Model):
    """A job that failed after its last try: what it was, why, and whether it was retried."""

    __tablename__ = "job_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    args: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(Text)
    tries: Mapped[int] = mapped_column(Integer, default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
