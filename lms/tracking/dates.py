"""Calendar arithmetic for deadlines and credential expiry (which day it is: ``lms.clock``).

Months and years are calendar units clamped to the end of the month: 31 January plus one
month is 28 (or 29) February, and 29 February plus a year is 28 February.
"""
from __future__ import annotations

import calendar
from datetime import MAXYEAR, MINYEAR, date

EXPIRING_DAYS = 90


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the last day of the target month (and
    to the first and last month a date can have: 1 January 1 and 31 December 9999)."""
    index = day.year * 12 + (day.month - 1) + months
    index = min(max(index, MINYEAR * 12), MAXYEAR * 12 + 11)
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """``day`` plus whole calendar years (29 February becomes 28 February)."""
    return add_months(day, 12 * years)


def validity_status(expires_on: date | None, today: date, warning_days: int = EXPIRING_DAYS) -> str:
    """``valid``, ``expiring`` (within ``warning_days``) or ``expired`` (after its last day)."""
    if expires_on is None:
        return "valid"
    days = (expires_on - today).days
    if days < 0:
        return "expired"
    return "expiring" if days <= warning_days else "valid"
