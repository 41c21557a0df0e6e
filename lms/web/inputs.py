"""Bounded input: ids in URLs and forms, finite numbers, dates within a sane range.

Whatever a client sends is checked here before it reaches the database, so that a hostile
value is a 404 (in a URL) or a form error, never a 500: database integers are 32-bit
(PostgreSQL's ``integer`` refuses 2147483648, SQLite's driver refuses anything above 2**63),
floats may be ``inf`` or ``nan``, and a date in the year 1 makes calendar arithmetic fail.
"""
from __future__ import annotations

import math
import re
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter
from wtforms import FloatField
from wtforms.validators import ValidationError

from lms.clock import today

# The largest value of a database id column (a signed 32-bit ``integer`` on PostgreSQL).
MAX_ID = 2_147_483_647
_ID = re.compile(r"[0-9]{1,10}")

# The earliest day anyone logs professionalisation hours for or sets a goal on.
EARLIEST_DATE = date(1990, 1, 1)
# How far ahead a development goal's target date may lie.
GOAL_HORIZON_YEARS = 10


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id, 1 to 2147483647 written with at most ten digits; anything
    else does not match the route (404). Every route with an integer id uses it."""

    regex = r"\d{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's signature)
        super().__init__(map, min=1, max=MAX_ID)


def to_id(raw) -> int:
    """An id from a form or query string; raises ``ValueError`` for anything that is not one
    (so ``request.form.get(name, type=to_id)`` gives None for it)."""
    if isinstance(raw, bool):
        raise ValueError("not an id")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not _ID.fullmatch(text):
            raise ValueError("not an id")
        value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError("id out of range")
    return value


def bounded_int(low: int, high: int):
    """A ``type=`` for ``request.args.get``: an integer from ``low`` to ``high`` (at most ten
    digits are read), else ``ValueError`` (so the default is used)."""

    def convert(raw) -> int:
        text = str(raw).strip()
        if not re.fullmatch(r"-?[0-9]{1,10}", text):
            raise ValueError("not a number")
        value = int(text)
        if not low <= value <= high:
            raise ValueError("out of range")
        return value

    return convert


class FiniteFloatField(FloatField):
    """A FloatField that refuses ``inf``, ``nan`` and numbers too large to work with, as a
    form error (the plain field accepts them and arithmetic on them fails later)."""

    def __init__(self, *args, largest: float = 1e9, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.largest = largest

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        try:
            value = float(raw)
        except ValueError:
            value = None
        if len(raw) > 32 or value is None or not math.isfinite(value) \
                or abs(value) > self.largest:
            self.data = None
            raise ValueError(_("Enter a number such as 1.5 (with a point)."))
        self.data = value


class DateWithin:
    """A date validator: from ``earliest()`` to ``latest()`` inclusive (callables, so "today"
    is the day the form is posted)."""

    def __init__(self, earliest=lambda: EARLIEST_DATE, latest=today) -> None:
        self.earliest = earliest
        self.latest = latest

    def __call__(self, form, field) -> None:
        if field.data is None:
            return
        low, high = self.earliest(), self.latest()
        if not low <= field.data <= high:
            raise ValidationError(_("Enter a date from %(low)s to %(high)s.",
                                    low=format_date(low, "medium"),
                                    high=format_date(high, "medium")))


def years_ahead(years: int):
    """``latest`` for ``DateWithin``: today plus ``years`` calendar years."""

    def latest() -> date:
        from lms.tracking.dates import add_years

        return add_years(today(), years)

    return latest
