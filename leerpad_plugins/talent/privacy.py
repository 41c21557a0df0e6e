"""The talent data of one person: their export, their erasure, and the retention period.

- Export: the nominee gets the nominations about them (with the motivation), the nominator
  the ones they made, an ambassador their listing, the teacher their conversations and
  outcomes, the leidinggevende the conversations they held with their own notes. A teacher's
  export never holds the manager's notes.
- Erasure: nominations about the person, their listing and their conversations (with the
  outcomes and the manager's notes about them) are deleted; a nominator's or manager's name
  is taken off what stays with the other person, and a manager's notes are deleted.
- Retention: ``TALENT_RETENTION_DAYS`` after the last change, nominations, conversations
  (notes included) and ambassador listings are deleted (``lms talent purge``).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update

from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow

from .models import Ambassador, ManagerNote, Nomination, StayConversation, StayOutcome


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(user: User | None) -> str | None:
    return user.name if user is not None else None


def personal_data(user: User) -> dict[str, list[dict[str, Any]]]:
    """The person's talent data, in the sections of their "download my data" export."""
    uid = user.id
    received = [{"id": n.id, "role": n.role, "nlqf_target": n.nlqf_target,
                 "motivation": n.motivation, "status": n.status, "hidden": n.hidden,
                 "nominated_by": _name(n.nominator), "school": n.organisation.name,
                 "created_at": _iso(n.created_at), "decided_at": _iso(n.decided_at)}
                for n in db.session.scalars(select(Nomination).where(Nomination.nominee_id == uid)
                                            .order_by(Nomination.id))]
    made = [{"id": n.id, "nominee": n.nominee.name, "role": n.role,
             "nlqf_target": n.nlqf_target, "motivation": n.motivation, "status": n.status,
             "school": n.organisation.name, "created_at": _iso(n.created_at)}
            for n in db.session.scalars(select(Nomination).where(Nomination.nominator_id == uid)
                                        .order_by(Nomination.id))]
    listing = db.session.scalar(select(Ambassador).where(Ambassador.user_id == uid))
    ambassador = [] if listing is None else [{
        "school": listing.organisation.name, "activities": list(listing.activities or []),
        "offer": listing.offer, "listed_at": _iso(listing.listed_at),
        "updated_at": _iso(listing.updated_at)}]
    as_teacher = [{"id": c.id, "with": _name(c.manager), "school": c.organisation.name,
                   "planned_for": _iso(c.planned_for), "status": c.status,
                   "held_on": _iso(c.held_on),
                   "outcomes": [{"text": o.text, "added_by": o.added_by,
                                 "became_goal": o.goal_id is not None} for o in c.outcomes]}
                  for c in db.session.scalars(select(StayConversation)
                                              .where(StayConversation.teacher_id == uid)
                                              .order_by(StayConversation.id))]
    notes = {n.conversation_id: n.text for n in db.session.scalars(
        select(ManagerNote).where(ManagerNote.manager_id == uid))}
    as_manager = [{"id": c.id, "teacher": c.teacher.name, "school": c.organisation.name,
                   "planned_for": _iso(c.planned_for), "status": c.status,
                   "held_on": _iso(c.held_on),
                   "outcomes": [{"text": o.text, "added_by": o.added_by} for o in c.outcomes],
                   "my_notes": notes.get(c.id, "")}
                  for c in db.session.scalars(select(StayConversation)
                                              .where(StayConversation.manager_id == uid)
                                              .order_by(StayConversation.id))]
    found = {"talent_nominations_received": received, "talent_nominations_made": made,
             "talent_ambassador": ambassador, "talent_stay_conversations": as_teacher,
             "talent_stay_conversations_held": as_manager}
    return {name: rows for name, rows in found.items() if rows}


def erase(user: User) -> None:
    """Erase the person's talent data in the caller's transaction (no commit)."""
    uid = user.id
    theirs = select(StayConversation.id).where(StayConversation.teacher_id == uid)
    db.session.execute(delete(ManagerNote).where(
        or_(ManagerNote.manager_id == uid, ManagerNote.conversation_id.in_(theirs))))
    db.session.execute(delete(StayOutcome).where(StayOutcome.conversation_id.in_(theirs)))
    db.session.execute(delete(StayConversation).where(StayConversation.teacher_id == uid))
    db.session.execute(update(StayConversation).where(StayConversation.manager_id == uid)
                       .values(manager_id=None))
    db.session.execute(delete(Nomination).where(Nomination.nominee_id == uid))
    db.session.execute(update(Nomination).where(Nomination.nominator_id == uid)
                       .values(nominator_id=None))
    db.session.execute(delete(Ambassador).where(Ambassador.user_id == uid))


def purge(retention_days: int, now: datetime | None = None) -> dict[str, int]:
    """Delete talent data older than the retention period; returns how many rows of each."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    old_day = cutoff.date()
    nominations = db.session.execute(delete(Nomination).where(
        Nomination.created_at < cutoff,
        or_(Nomination.decided_at.is_(None), Nomination.decided_at < cutoff))).rowcount or 0
    expired = select(StayConversation.id).where(
        StayConversation.planned_for < old_day,
        or_(StayConversation.held_on.is_(None), StayConversation.held_on < old_day),
        StayConversation.updated_at < cutoff)
    ids = list(db.session.scalars(expired))
    if ids:
        db.session.execute(delete(ManagerNote).where(ManagerNote.conversation_id.in_(ids)))
        db.session.execute(delete(StayOutcome).where(StayOutcome.conversation_id.in_(ids)))
        db.session.execute(delete(StayConversation).where(StayConversation.id.in_(ids)))
    listings = db.session.execute(delete(Ambassador).where(
        Ambassador.updated_at < cutoff)).rowcount or 0
    db.session.commit()
    return {"nominations": nominations, "conversations": len(ids), "ambassadors": listings}
