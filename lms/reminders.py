"""Daily reminders: track deadlines within 30 days and credentials about to expire."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, select

from lms.extensions import db
from lms.models.content import Track
from lms.models.progress import Credential, Enrolment, TrackState
from lms.notify import link, notify_many
from lms.tracking.dates import EXPIRING_DAYS

DEADLINE_DAYS = 30


def remind_deadlines(today: date, days: int = DEADLINE_DAYS) -> int:
    """One reminder per active, unfinished track enrolment whose deadline is within ``days``."""
    rows = db.session.execute(
        select(Enrolment.id, Enrolment.user_id, Enrolment.deadline, Track.title)
        .join(Track, Track.id == Enrolment.track_id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .where(Enrolment.status == "active", Enrolment.deadline.is_not(None),
               Enrolment.deadline >= today, Enrolment.deadline <= today + timedelta(days=days),
               (TrackState.status.is_(None)) | (TrackState.status != "completed"))
    ).all()
    created = notify_many([
        {"user": user_id, "kind": "deadline_soon", "link": link("path.mine"),
         "params": {"track": title, "date": deadline.isoformat()},
         "key": f"deadline:{enrolment_id}:{deadline.isoformat()}"}
        for enrolment_id, user_id, deadline, title in rows])
    db.session.commit()
    return len(created)


def remind_credentials(today: date, days: int = EXPIRING_DAYS) -> int:
    """One reminder per credential that expires within ``days``."""
    rows = db.session.execute(
        select(Credential.id, Credential.user_id, Credential.name, Credential.expires_at)
        .where(Credential.expires_at.between(today, today + timedelta(days=days)))
    ).all()
    created = notify_many([
        {"user": user_id, "kind": "credential_expiring", "link": link("path.mine"),
         "params": {"credential": name, "date": expires.isoformat()},
         "key": f"credential:{cred_id}:{expires.isoformat()}"}
        for cred_id, user_id, name, expires in rows])
    db.session.commit()
    return len(created)


def remind_all(today: date | None = None) -> int:
    today = today or date.today()
    return remind_deadlines(today) + remind_credentials(today)
