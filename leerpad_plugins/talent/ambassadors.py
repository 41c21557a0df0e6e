"""Ambassadors: people who accepted a nomination and chose to be listed for recruitment
activities (open days, school visits, the onderwijskeuzedag). The list is opt-in and the
person can leave it at any time; coordinators read and export it for their subtree."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.extensions import db
from lms.models import Organisation, User
from lms.models.base import utcnow

from .models import AMBASSADOR_ACTIVITIES, Ambassador, Nomination

MAX_OFFER = 500
ACTIVITY_LABELS = {
    "open-dag": _l("Open days"),
    "schoolbezoek": _l("School visits"),
    "onderwijskeuzedag": _l("Onderwijskeuzedag (education choice day)"),
    "meeloopdag": _l("Job shadowing days"),
    "voorlichting": _l("Information sessions at mbo and hbo"),
}


class AmbassadorError(ValueError):
    """Input to correct; ``str(exc)`` is a key of the views' messages."""


def listing_of(user_id: int) -> Ambassador | None:
    return db.session.scalar(select(Ambassador).where(Ambassador.user_id == user_id))


def join(user: User, activities: list[str], offer: str) -> Ambassador:
    """List the person (or update their listing); they must have accepted a nomination."""
    activities = [a for a in AMBASSADOR_ACTIVITIES if a in set(activities)]
    offer = " ".join((offer or "").split())
    if not activities:
        raise AmbassadorError("no activity")
    if len(offer) > MAX_OFFER:
        raise AmbassadorError("too long")
    school_id = db.session.scalar(
        select(Nomination.organisation_id).where(Nomination.nominee_id == user.id,
                                                 Nomination.status == "accepted")
        .order_by(Nomination.decided_at.desc(), Nomination.id.desc()).limit(1))
    if school_id is None:
        raise AmbassadorError("not accepted")
    now = utcnow()
    listing = listing_of(user.id)
    if listing is None:
        listing = Ambassador(user_id=user.id, organisation_id=school_id, listed_at=now)
        db.session.add(listing)
    listing.activities = activities
    listing.offer = offer
    listing.updated_at = now
    db.session.commit()
    return listing


def leave(user: User) -> None:
    listing = listing_of(user.id)
    if listing is not None:
        db.session.delete(listing)
        db.session.commit()


def listed_in(org_ids: set[int], activity: str | None = None) -> list[Ambassador]:
    """Listed ambassadors of these organisations (optionally offering one activity), by
    name; one query (person and school joined)."""
    if not org_ids:
        return []
    rows = list(db.session.scalars(
        select(Ambassador).join(User, User.id == Ambassador.user_id)
        .join(Organisation, Organisation.id == Ambassador.organisation_id)
        .where(Ambassador.organisation_id.in_(org_ids), User.active.is_(True))
        .order_by(Organisation.name, User.name, Ambassador.id)))
    if activity:
        rows = [a for a in rows if activity in (a.activities or [])]
    return rows


def export_rows(ambassadors: list[Ambassador]) -> tuple[list[str], list[list[str]]]:
    """Headers and rows for an export of the list (names and contact: they opted in)."""
    from flask_babel import gettext as _

    headers = [_("Name"), _("E-mail"), _("School"), _("Activities"), _("What I am willing to do")]
    rows = [[a.user.name, a.user.email, a.organisation.name,
             ", ".join(str(ACTIVITY_LABELS[x]) for x in a.activities or []
                       if x in ACTIVITY_LABELS), a.offer]
            for a in ambassadors]
    return headers, rows
