"""Daily reminders: track deadlines within 30 days and credentials about to expire.

The worker runs them every day at 06:00 Dutch time (the ``reminders.daily`` job) and e-mails
them; ``lms notify deadlines`` does the same at once.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, select

from lms import clock
from lms.extensions import db
from lms.jobs import daily_at, periodic
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
    today = today or clock.today()
    return remind_deadlines(today) + remind_credentials(today)


@periodic("reminders.daily", daily_at(6, 0))
def daily_reminders() -> tuple[int, int]:
    """The job: create today's reminders and e-mail what is unsent; safe to run twice (the
    reminders are keyed, e-mailed ones are marked). Fails, to be retried, when mail failed."""
    from lms.notify import MailNotSent, send_unsent

    created = remind_all()
    sent = send_unsent()
    still = unsent_reminders()
    if still:
        raise MailNotSent(f"{still} reminder(s) not e-mailed")
    return created, sent


def unsent_reminders() -> int:
    """Reminders of the last day not yet e-mailed (0 when no mail server is configured)."""
    from datetime import timedelta

    from sqlalchemy import func

    from lms.mail import mail_configured
    from lms.models.base import utcnow
    from lms.models.notifications import Notification

    from lms.models.accounts import User

    if not mail_configured():
        return 0
    # Digest readers get their reminders with the weekly e-mail (lms.notify.send_digests).
    return db.session.scalar(select(func.count(Notification.id)).join(
        User, User.id == Notification.user_id).where(
        User.email_digest.is_(False),
        Notification.kind.in_(("deadline_soon", "credential_expiring")),
        Notification.emailed_at.is_(None), Notification.read_at.is_(None),
        Notification.created_at >= utcnow() - timedelta(days=1))) or 0
