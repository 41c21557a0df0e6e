"""The platform's time: moments are stored in UTC, days are counted where the learners live.

``TIMEZONE`` (default Europe/Amsterdam) says where that is; ``today()`` is the one answer to
"what day is it" (a deadline, an expiry, "this year's hours"), so it flips at local midnight,
not at UTC midnight.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Amsterdam"


def check_time_zone(name: object) -> str:
    """``name`` when it is a time zone this machine knows; else ValueError saying so."""
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"TIMEZONE {name!r} is not a time zone name such as "
                         f"'{DEFAULT_TIMEZONE}'") from error
    return str(name)


def time_zone() -> str:
    """The configured ``TIMEZONE`` (the default outside an app, e.g. in a script)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE
    return DEFAULT_TIMEZONE


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar day of an aware moment where the learners live (the UTC day at the very
    ends of the calendar, where the shift would leave it)."""
    try:
        return moment.astimezone(ZoneInfo(tz or time_zone())).date()
    except OverflowError:
        return moment.date()


def local_time(moment: datetime, tz: str | None = None) -> datetime:
    """An aware moment as the learners' wall clock shows it."""
    return moment.astimezone(ZoneInfo(tz or time_zone()))


def today(now: datetime | None = None, tz: str | None = None) -> date:
    """The day it is now (or at ``now``, an aware moment) in the configured time zone (or
    ``tz``)."""
    return local_date(now or datetime.now(timezone.utc), tz)
