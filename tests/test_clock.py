"""Which day it is: the configured TIMEZONE's, not the server's or UTC's."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from lms.clock import today
from lms.testing import Auth, make_world


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def test_a_learners_today_flips_at_amsterdam_midnight_not_utc_midnight(app):
    """At 23:30 UTC on 30 November it is already 1 December in Amsterdam (UTC+1 in winter,
    UTC+2 in summer); at 23:30 Amsterdam time it is still the same day there."""
    with app.app_context():
        assert app.config["TIMEZONE"] == "Europe/Amsterdam"  # the default
        assert today(utc(2026, 11, 30, 22, 59)) == date(2026, 11, 30)
        assert today(utc(2026, 11, 30, 23, 0)) == date(2026, 12, 1)  # UTC: still the 30th
        assert today(utc(2026, 11, 30, 23, 30)) == date(2026, 12, 1)
        assert today(utc(2026, 6, 30, 21, 59)) == date(2026, 6, 30)
        assert today(utc(2026, 6, 30, 22, 0)) == date(2026, 7, 1)


def test_the_configured_time_zone_decides(app_factory):
    """TIMEZONE=UTC flips at UTC midnight; the learner's own path (its API) reports the day of
    the platform's zone, so a zone a day ahead shows a later day than one a day behind."""
    with app_factory(TIMEZONE="UTC").app_context():
        assert today(utc(2026, 11, 30, 23, 30)) == date(2026, 11, 30)
    ahead = app_factory(TIMEZONE="Pacific/Kiritimati")  # UTC+14
    behind = app_factory(TIMEZONE="Etc/GMT+12")  # UTC-12
    with ahead.app_context():
        make_world()
    days = {}
    for name, app in (("ahead", ahead), ("behind", behind)):
        client = app.test_client()
        Auth(client).login("learner")
        before = datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
        shown = date.fromisoformat(client.get("/api/v1/me/path").get_json()["today"])
        assert shown in (before, datetime.now(ZoneInfo(app.config["TIMEZONE"])).date())
        days[name] = shown
    assert days["ahead"] > days["behind"]


def test_a_time_zone_that_does_not_exist_stops_the_start_with_a_message(app_factory):
    """A misspelt TIMEZONE is refused when the app starts, naming the setting."""
    with pytest.raises(ValueError, match="TIMEZONE 'Europe/Amsterdm' is not a time zone"):
        app_factory(TIMEZONE="Europe/Amsterdm")
