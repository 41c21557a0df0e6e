"""Numbers, hours, durations and dates read the way the reader's language writes them."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lms.web import formatting as f


@pytest.mark.parametrize(("value", "nl", "en"), [
    (1680, "1.680", "1,680"), (1680.0, "1.680", "1,680"), (24.0, "24", "24"), (1.5, "1,5", "1.5"),
    (0.0, "0", "0"), (-0.0, "0", "0"), (2.25, "2,25", "2.25"), (1 / 3, "0,33", "0.33"),
    (None, "", ""), (float("nan"), "", ""),
])
def test_numbers_have_no_trailing_zeros_and_the_locales_separators(value, nl, en):
    """1680.0 is 1.680 in Dutch and 1,680 in English; 24.0 is 24; 1.5 is 1,5 in Dutch."""
    assert f.number(value, "nl") == nl
    assert f.number(value, "en") == en


def test_hours_with_their_unit():
    """Hours read as a quantity with its unit, singular only for exactly one."""
    assert f.hours(1680, "en") == "1,680 hours"
    assert f.hours(1, "en") == "1 hour"
    assert f.hours(1.5, "en") == "1.5 hours"
    assert f.hours(0, "en") == "0 hours"
    dutch = {"%(num)s hour": "%(num)s uur", "%(num)s hours": "%(num)s uur"}
    assert f.hours(24.0, "nl", lambda s, p, n: dutch[s if n == 1 else p]) == "24 uur"
    assert f.hours(1.5, "nl", lambda s, p, n: dutch[s if n == 1 else p]) == "1,5 uur"


@pytest.mark.parametrize(("minutes", "approximate", "shown"), [
    (0, False, "0 min"), (45, False, "45 min"), (59, False, "59 min"), (60, False, "1 hour"),
    (90, False, "1.5 hours"), (1200, False, "20 hours"), (1605, True, "27 hours"),
    (1605, False, "26.75 hours"), (75, True, "1.5 hours"),
])
def test_study_load_in_hours_and_minutes_only_below_an_hour(minutes, approximate, shown):
    """'1200 min' becomes 20 hours; 'about 1605 minutes' becomes about 27 hours."""
    assert f.duration(minutes, "en", approximate=approximate) == shown


def test_one_date_style_per_locale():
    """Dates read as 23 nov 2026 in Dutch and Nov 23, 2026 in English; datetimes by their day."""
    assert f.day(date(2026, 11, 23), "nl") == "23 nov 2026"
    assert f.day(date(2026, 11, 23), "en") == "Nov 23, 2026"
    assert f.day(datetime(2026, 11, 23, 10, tzinfo=timezone.utc), "nl") == "23 nov 2026"
    assert f.day(None, "nl") == ""


def test_percent_in_the_locales_style():
    assert f.percent(50, "nl") == "50%"
    assert f.percent(100, "en") == "100%"


def test_filters_follow_the_page_language(app):
    """The Jinja filters use the request's locale."""
    template = "{{ 1680.0|number }} · {{ 1.5|number }} · {{ 1605|duration(approximate=True) }} · {{ d|day }}"
    with app.test_request_context(headers={"Cookie": "lms_lang=nl"}):
        from flask import render_template_string

        dutch = render_template_string(template, d=date(2026, 11, 30))
    with app.test_request_context(headers={"Cookie": "lms_lang=en"}):
        english = render_template_string(template, d=date(2026, 11, 30))
    assert dutch.startswith("1.680 · 1,5 · 27 ") and dutch.endswith(" · 30 nov 2026")
    assert english == "1,680 · 1.5 · 27 hours · Nov 30, 2026"
