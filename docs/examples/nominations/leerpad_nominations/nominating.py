"""Nominating and reading nominations: no Flask request in here, so tests call it directly."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, delete, func, select, update

from lms.extensions import db
from lms.models import Organisation, RoleAssignment, User
from lms.models.base import utcnow
from lms.reports.scope import subtree_ids

from .models import Nomination

MAX_MOTIVATION = 500


class LimitReached(Exception):
    """The nominator used up this year's nominations (``NOMINATIONS_MAX_PER_YEAR``)."""


def made_this_year(nominator_id: int) -> int:
    start = datetime(utcnow().year, 1, 1, tzinfo=timezone.utc)
    return db.session.scalar(select(func.count()).select_from(Nomination).where(
        Nomination.nominated_by_id == nominator_id, Nomination.created_at >= start))


def nominate(nominator: User, learner: User, motivation: str, *, limit: int) -> Nomination:
    """Store a nomination and commit; raises ``LimitReached`` past ``limit`` a year.
    Whether ``nominator`` may nominate ``learner`` is the caller's check (``lms.access``)."""
    if made_this_year(nominator.id) >= limit:
        raise LimitReached(limit)
    nomination = Nomination(learner_id=learner.id, nominated_by_id=nominator.id,
                            motivation=motivation.strip()[:MAX_MOTIVATION])
    db.session.add(nomination)
    db.session.commit()
    return nomination


def of_learner(learner_id: int) -> list[Nomination]:
    """The learner's nominations, newest first."""
    return list(db.session.scalars(select(Nomination).where(Nomination.learner_id == learner_id)
                                   .order_by(Nomination.created_at.desc(), Nomination.id.desc())))


def made_by(nominator_id: int) -> list[Nomination]:
    """The nominations this person made, newest first."""
    return list(db.session.scalars(
        select(Nomination).where(Nomination.nominated_by_id == nominator_id)
        .order_by(Nomination.created_at.desc(), Nomination.id.desc())))


def per_school(org: Organisation) -> list[tuple[str, int]]:
    """``(school name, nominations of its learners)`` for every school in ``org``'s subtree,
    in one query. Counts only: no names, no motivations."""
    return [(name, count) for name, count in db.session.execute(
        select(Organisation.name, func.count(func.distinct(Nomination.id)))
        .select_from(Organisation)
        .outerjoin(RoleAssignment, and_(RoleAssignment.organisation_id == Organisation.id,
                                        RoleAssignment.role == "learner"))
        .outerjoin(Nomination, Nomination.learner_id == RoleAssignment.user_id)
        .where(Organisation.id.in_(subtree_ids([org.id])), Organisation.kind == "school")
        .group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name))]


def personal_data(user: User) -> dict[str, list[dict[str, Any]]]:
    """What the plugin holds about ``user``: nominations they received and made."""
    received = [{"date": n.created_at.isoformat(), "motivation": n.motivation,
                 "nominated_by": n.nominated_by.name if n.nominated_by else None}
                for n in of_learner(user.id)]
    made = [{"date": n.created_at.isoformat(), "learner": n.learner.name,
             "motivation": n.motivation} for n in made_by(user.id)]
    return {"nominations received": received, "nominations made": made}


def erase(user: User) -> None:
    """Delete the nominations of ``user`` and take their name off those they made
    (in the caller's transaction)."""
    db.session.execute(delete(Nomination).where(Nomination.learner_id == user.id))
    db.session.execute(update(Nomination).where(Nomination.nominated_by_id == user.id)
                       .values(nominated_by_id=None))
