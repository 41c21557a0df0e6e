"""Retention: accounts inactive for longer than RETENTION_DAYS are flagged for an admin's review.

The worker runs the review every day at 03:00 Dutch time (the ``privacy.retention_review``
job); ``lms privacy flag-inactive`` runs it at once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update

from flask import current_app

from lms.extensions import db
from lms.jobs import daily_at, periodic
from lms.models.accounts import User
from lms.models.base import utcnow
from lms.models.privacy import PrivacyStatus


def _inactive_since(cutoff: datetime):
    last_seen = func.coalesce(User.last_login_at, User.created_at)
    return select(User.id).where(last_seen < cutoff)


def flag_inactive(retention_days: int, now: datetime | None = None) -> int:
    """Flag every not-erased account unseen for ``retention_days``; returns how many were new."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    candidates = _inactive_since(cutoff)
    changed = db.session.execute(
        update(PrivacyStatus)
        .where(PrivacyStatus.user_id.in_(candidates), PrivacyStatus.erased_at.is_(None),
               PrivacyStatus.flagged_for_review_at.is_(None))
        .values(flagged_for_review_at=now)
    ).rowcount or 0
    fresh = list(db.session.scalars(
        candidates.where(~User.id.in_(select(PrivacyStatus.user_id)))))
    if fresh:
        db.session.execute(insert(PrivacyStatus),
                           [{"user_id": uid, "flagged_for_review_at": now} for uid in fresh])
    db.session.commit()
    return changed + len(fresh)


def review_list() -> list[tuple[User, PrivacyStatus]]:
    """Accounts flagged for review and not erased, longest unseen first."""
    return list(db.session.execute(
        select(User, PrivacyStatus).join(PrivacyStatus, PrivacyStatus.user_id == User.id)
        .where(PrivacyStatus.flagged_for_review_at.is_not(None), PrivacyStatus.erased_at.is_(None))
        .order_by(func.coalesce(User.last_login_at, User.created_at), User.id)
    ).all())


def keep(user: User) -> None:
    """An admin decided to keep the account: clear its flag."""
    status = db.session.get(PrivacyStatus, user.id)
    if status is not None:
        status.flagged_for_review_at = None
    db.session.commit()


@periodic("privacy.retention_review", daily_at(3, 0))
def retention_review() -> int:
    """The job: flag accounts unseen for RETENTION_DAYS (idempotent: flagged ones stay)."""
    return flag_inactive(int(current_app.config["RETENTION_DAYS"]))
