"""Numbers, hours, durations and dates in the reader's language (Babel, per locale).

One style per kind of value, everywhere: ``1.680 uur`` / ``1,680 hours``, ``1,5 uur`` /
``1.5 hours``, ``24 uur`` (never ``24.0``), study load in hours with minutes only below an
hour (``45 min``, ``about 27 hours``), and one date style per locale (``23 nov 2026`` /
``Nov 23, 2026``). The functions take the locale so they are tested without a request; the
Jinja filters registered by ``register`` use the request's locale.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date as babel_date
from babel.numbers import format_decimal as babel_decimal
from flask import Flask

DATE_FORMAT = "medium"  # 23 nov 2026 (nl), Nov 23, 2026 (en)


def number(value, locale: str, decimals: int = 2) -> str:
    """A number with at most ``decimals`` decimals and no trailing zeros: 1.680, 1,5, 24."""
    if value is None:
        return ""
    value = float(value)
    if not math.isfinite(value):
        return ""
    return _formatted(round(value, decimals) + 0.0, locale, decimals)  # -0.0 becomes 0.0


@lru_cache(maxsize=4096)
def _formatted(value: float, locale: str, decimals: int) -> str:
    """Babel's formatting, remembered: a course page shows the same few durations per lesson."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return babel_decimal(value, format=pattern, locale=locale)


def _english_gettext(message: str) -> str:
    return message


def _english_ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def hours(value, locale: str, ngettext=_english_ngettext, decimals: int = 2) -> str:
    """``1.680 uur``, ``1,5 uur``, ``1 hour``: the number in the locale and the unit.
    ``ngettext`` translates (the request's own in templates)."""
    count = float(value or 0)
    shown = number(count, locale, decimals)
    # Whole 1 takes the singular ("1 hour"); everything else the plural ("1.5 hours").
    return ngettext("%(num)s hour", "%(num)s hours", 1 if count == 1 else 2) % {"num": shown}


def duration(minutes, locale: str, gettext=_english_gettext, ngettext=_english_ngettext, *,
             approximate: bool = False) -> str:
    """A study load or time left: minutes below an hour (``45 min``), hours from an hour up
    (``1,5 uur``). ``approximate`` rounds hours to the nearest half hour (``about`` texts)."""
    minutes = max(0, int(round(float(minutes or 0))))
    if minutes < 60:
        return gettext("%(num)s min") % {"num": number(minutes, locale, 0)}
    value = minutes / 60
    if approximate:
        value = math.floor(value * 2 + 0.5) / 2  # half up: 1 h 15 min is about 1,5 h
    return hours(value, locale, ngettext)


def percent(value, locale: str) -> str:
    """A whole percentage in the locale's style: 50%, 100%."""
    from babel.numbers import format_percent

    return format_percent((value or 0) / 100, locale=locale)


def day(value, locale: str) -> str:
    """A date (or the date of a datetime) in the locale's one date style."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return babel_date(value, DATE_FORMAT, locale=locale)


# --- Jinja filters ----------------------------------------------------------------------


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl")


def register(app: Flask) -> None:
    """The filters every template uses for numbers, hours, durations and dates."""
    from flask_babel import get_translations

    def gettext(message):
        return get_translations().gettext(message)

    def ngettext(singular, plural, n):
        return get_translations().ngettext(singular, plural, n)

    app.add_template_filter(lambda v, decimals=2: number(v, _locale(), decimals), "number")
    app.add_template_filter(lambda v: hours(v, _locale(), ngettext), "hours")
    app.add_template_filter(
        lambda v, approximate=False: duration(v, _locale(), gettext, ngettext,
                                              approximate=approximate), "duration")
    app.add_template_filter(lambda v: percent(v, _locale()), "percent")
    app.add_template_filter(lambda v: day(v, _locale()), "day")
    app.add_template_filter(lambda v: v.isoformat() if isinstance(v, (date, datetime)) else "",
                            "iso")
