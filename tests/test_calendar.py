"""The personal calendar feed: made and renewed at a secret address (only its hash stored),
holding open deadlines and credential expiry dates, parsed back with the icalendar library."""
from __future__ import annotations

import re
from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from lms.extensions import db
from lms.models import Credential
from lms.models.base import utcnow
from lms.models.calendar import CalendarFeed
from lms.models.progress import Enrolment
from lms.tracking.tracks import enrol
from tests import builders
from tests.supervision_data import count_queries, login_as
from lms.clock import today as clock_today  # the learners' day, as the app's

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)", re.I)


def _seed(app, world) -> dict:
    """The learner: an open track with a deadline, a completed one, a course without deadline,
    and a credential that expires."""
    with app.app_context():
        learner = builders.user("learner")
        learner.locale = "en"
        open_track = builders.track("open-route", [builders.course("open-a", 1)],
                                    duration_months=12)
        done_track = builders.track("done-route", [builders.course("done-a", 1)],
                                    duration_months=6)
        enrol(learner, track=open_track)
        enrol(learner, course=builders.course("free", 1))
        done = enrol(learner, track=done_track)
        done.status, done.completed_at = "completed", utcnow()
        expires = clock_today() + timedelta(days=200)
        db.session.add(Credential(user_id=learner.id, name="Bewijs Open Route",
                                  expires_at=expires))
        db.session.commit()
        deadline = db.session.scalar(select(Enrolment.deadline).where(
            Enrolment.track_id == open_track.id))
        return {"deadline": deadline, "expires": expires}


def _make_address(client) -> str:
    response = client.post("/agenda/adres")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    match = re.search(r'id="calendar-url"[^>]*value="(http://localhost/agenda/([^"/]+)\.ics)"',
                      html)
    assert match, html
    return match[1]


def test_feed_holds_open_deadlines_and_expiry_dates(app, world, client):
    """The address opens without logging in; the events read back with icalendar are the
    open track's deadline and the credential's last valid day, all-day and free."""
    dates = _seed(app, world)
    login_as(client, "learner")
    page = client.get("/agenda").get_data(as_text=True)
    assert "Make my calendar address" in page
    url = _make_address(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        stored = db.session.scalar(select(CalendarFeed.token_hash))
        assert stored == CalendarFeed.hash_token(token) and token not in stored
    stranger = app.test_client()
    with count_queries(app) as statements:
        response = stranger.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert not [s for s in statements if WRITES.match(s)] and len(statements) <= 3
    calendar = Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == ["Deadline: Open Route", "Last valid day: Bewijs Open Route"]
    deadline = events["Deadline: Open Route"]
    assert deadline.decoded("DTSTART") == dates["deadline"]
    assert deadline.decoded("DTEND") == dates["deadline"] + timedelta(days=1)
    assert str(deadline["TRANSP"]) == "TRANSPARENT"
    assert str(deadline["URL"]) == "http://localhost/leerroutes/open-route"
    assert events["Last valid day: Bewijs Open Route"].decoded("DTSTART") == dates["expires"]
    assert len({str(e["UID"]) for e in events.values()}) == 2
    assert str(calendar["X-WR-CALNAME"]) == "Leerpad deadlines"


def test_feed_is_worded_in_the_owners_language(app, world, client):
    """A Dutch owner gets Dutch summaries, whoever's calendar app asks."""
    _seed(app, world)
    with app.app_context():
        builders.user("learner").locale = "nl"
        db.session.commit()
    login_as(client, "learner", lang="nl")
    url = _make_address(client)
    calendar = Calendar.from_ical(app.test_client().get(url).data)
    summaries = sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT"))
    assert summaries[0].startswith("Deadline") and "Bewijs Open Route" in summaries[1]
    assert summaries[1] != "Last valid day: Bewijs Open Route"


def test_renewing_ends_the_old_address_and_stopping_ends_all(app, world, client):
    """A new address replaces the old one at once; stopping leaves none."""
    _seed(app, world)
    login_as(client, "learner")
    first = _make_address(client)
    second = _make_address(client)
    stranger = app.test_client()
    assert stranger.get(first).status_code == 404
    assert stranger.get(second).status_code == 200
    page = client.get("/agenda").get_data(as_text=True)
    assert "You have a calendar address since" in page and "/agenda/" not in page.split(
        "<main")[1].split('action="/agenda/')[0]
    client.post("/agenda/uit")
    assert stranger.get(second).status_code == 404
    assert "Make my calendar address" in client.get("/agenda").get_data(as_text=True)


def test_unknown_long_and_deactivated_addresses_are_not_found(app, world, client):
    """Guesses, oversized tokens and a deactivated owner's address answer 404."""
    _seed(app, world)
    login_as(client, "learner")
    url = _make_address(client)
    stranger = app.test_client()
    assert stranger.get("/agenda/raden.ics").status_code == 404
    assert stranger.get("/agenda/" + "x" * 101 + ".ics").status_code == 404
    with app.app_context():
        builders.user("learner").active = False
        db.session.commit()
    assert stranger.get(url).status_code == 404


def test_the_page_needs_a_login_and_the_home_and_account_link_to_it(app, world, client):
    """Anonymous visitors are sent to log in; home and account page point at the page."""
    assert client.get("/agenda").status_code == 302
    login_as(client, "learner")
    assert 'href="/agenda"' in client.get("/").get_data(as_text=True)
    account = client.get("/account").get_data(as_text=True)
    assert "Add to your calendar" in account and 'href="/agenda"' in account


def test_erasing_the_person_removes_the_address(app, world, client):
    """Erasure (AVG) deletes the calendar address with everything else of the person."""
    from lms.privacy.erase import erase_person

    _seed(app, world)
    login_as(client, "learner")
    url = _make_address(client)
    with app.app_context():
        erase_person(builders.user("learner"), by=builders.user("admin"))
        assert db.session.scalar(select(CalendarFeed.id)) is None
    assert app.test_client().get(url).status_code == 404
