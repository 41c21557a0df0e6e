"""The xapi plugin's tables: one delivery cursor per LRS, and the erased people whose
statements each LRS was asked to void."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime


class XapiCursor(db.Model):
    """How far one LRS has been sent the event log (progress events and learning records).

    ``holes`` are ids below a cursor not seen yet (a transaction that committed late), kept
    for a minute so their statements still go out. ``lease_*`` lets one worker at a time
    deliver to this LRS, whichever app server it runs on."""

    __tablename__ = "xapi_cursor"

    lrs: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_cursor: Mapped[int] = mapped_column(Integer, default=0)
    record_cursor: Mapped[int] = mapped_column(Integer, default=0)
    holes: Mapped[dict] = mapped_column(JSON, default=dict)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class XapiErasure(db.Model):
    """An erased person: nothing more is sent about them, and what was sent is voided."""

    __tablename__ = "xapi_erasure"

    lrs: Mapped[str] = mapped_column(String(100), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no FK: a record only
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided: Mapped[int] = mapped_column(Integer, default=0)
