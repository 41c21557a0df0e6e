"""A person's deadlines as an iCalendar feed (RFC 5545) at a secret address.

The feed holds every open enrolment's deadline (tracks and courses) and every credential's
expiry date (its last valid day), as all-day events that do not block time, worded in the
person's language. Sign-offs have no due dates in Leerpad, so there are none to add. The
address carries a random token of which only the SHA-256 is stored (``CalendarFeed``);
making a new one ends the old address. Reading the feed writes nothing (three queries).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from lms.extensions import db
from lms.models.accounts import User
from lms.models.base import utcnow
from lms.models.calendar import CalendarFeed
from lms.models.content import Course, Track
from lms.models.progress import Credential, Enrolment
from lms.notify import link

PRODID = "-//Leerpad//Deadlines//NL"
TOKEN_MAX = 100  # longer path segments are refused before any query


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    day: date
    summary: str
    description: str
    url: str


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def issue_feed(user: User) -> str:
    """Make (or renew) ``user``'s calendar address; returns its token, which is not stored
    and cannot be shown again. The old address stops working. The caller commits."""
    token = CalendarFeed.new_token()
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.add(CalendarFeed(user_id=user.id, token_hash=CalendarFeed.hash_token(token)))
    return token


def revoke_feed(user: User) -> bool:
    """End ``user``'s calendar address; False when there was none. The caller commits."""
    return bool(db.session.execute(
        delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount)


def feed_owner(token: str) -> User | None:
    """The active person whose address carries ``token`` (one query), else None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalar(
        select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == CalendarFeed.hash_token(token), User.active.is_(True)))


def entries(user: User, base_url: str) -> list[CalendarEntry]:
    """The person's open deadlines and credential expiry dates (two queries), in the
    current locale."""
    deadlines = db.session.execute(
        select(Enrolment.uuid, Enrolment.deadline, Track.title, Track.slug, Course.title,
               Course.slug)
        .outerjoin(Track, Track.id == Enrolment.track_id)
        .outerjoin(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id == user.id, Enrolment.status == "active",
               Enrolment.deadline.is_not(None))
        .order_by(Enrolment.deadline, Enrolment.id)
    ).all()
    found = []
    for uuid, deadline, track, track_slug, course, course_slug in deadlines:
        title = track or course or "?"
        page = (link("learn.track", slug=track_slug) if track_slug
                else link("learn.course", course_slug=course_slug) if course_slug else "")
        found.append(CalendarEntry(
            f"deadline-{uuid}@leerpad", deadline, _("Deadline: %(title)s", title=title),
            _("The deadline of %(title)s in Leerpad.", title=title), base_url + page))
    credentials = db.session.execute(
        select(Credential.id, Credential.name, Credential.expires_at)
        .where(Credential.user_id == user.id, Credential.expires_at.is_not(None))
        .order_by(Credential.expires_at, Credential.id)
    ).all()
    path = base_url + link("path.mine")
    for credential_id, name, expires in credentials:
        found.append(CalendarEntry(
            f"credential-{credential_id}-{expires.isoformat()}@leerpad", expires,
            _("Last valid day: %(credential)s", credential=name),
            _("Your credential “%(credential)s” is valid up to and including this day; "
              "renew it in time.", credential=name), path))
    return found


def to_ics(user: User, items: list[CalendarEntry], name: str) -> bytes:
    """The entries as an iCalendar document (all-day events, free time)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = utcnow()
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        if item.day < date.max:
            event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def feed_document(user: User, base_url: str) -> bytes:
    """``user``'s whole feed, worded in their language."""
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        return to_ics(user, entries(user, base_url), _("Leerpad deadlines"))


def base_url(request: Any = None) -> str:
    """Where links in the feed point: BASE_URL, else the address this request came to."""
    configured = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if configured or request is None:
        return configured
    return request.url_root.rstrip("/")
