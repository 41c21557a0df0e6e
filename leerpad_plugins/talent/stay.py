"""Stay conversations ("stay-gesprekken"): a leidinggevende plans one with a teacher of their
school, both read the agenda, both record the outcomes, and the teacher alone decides which
outcomes become goals in their own development plan (POP). The manager's notes stay theirs.

When the next one is due: ``TALENT_STAY_INTERVAL_MONTHS`` after the last one held, or, for
someone who never had one, between ``TALENT_STAY_FIRST_FROM_MONTHS`` and
``TALENT_STAY_FIRST_BY_MONTHS`` after they started at the school (their role there).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Organisation, RoleAssignment, User
from lms.models.base import utcnow
from lms.models.portfolio import DevelopmentGoal

from .models import ManagerNote, StayConversation, StayOutcome
from .rules import TEACHER_ROLES, managed_org_ids

MAX_OUTCOME = 300
MAX_NOTE = 10_000
# How far from today a conversation may be planned or recorded as held.
PLAN_HORIZON_DAYS = 2 * 366
PAST_DAYS = 366
# A due conversation shows up this long before its date.
NOTICE_DAYS = 31


class StayError(ValueError):
    """Input to correct; ``str(exc)`` is a key of the views' messages."""


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_day(day: date | None, today: date, future: bool) -> date:
    if day is None:
        raise StayError("date")
    if future and not today - timedelta(days=PAST_DAYS) <= day <= today + timedelta(
            days=PLAN_HORIZON_DAYS):
        raise StayError("date range")
    if not future and not today - timedelta(days=PAST_DAYS) <= day <= today:
        raise StayError("held date")
    return day


# --- writing -------------------------------------------------------------------------------


def plan(manager: User, teacher: User, planned_for: date | None, today: date) -> StayConversation:
    """Plan a conversation (the caller has checked ``talent.stay.plan`` on the teacher)."""
    planned_for = _check_day(planned_for, today, future=True)
    shared = sorted(managed_org_ids(manager) & {r.organisation_id for r in teacher.roles})
    if not shared:
        raise StayError("not your school")
    now = utcnow()
    conversation = StayConversation(teacher_id=teacher.id, manager_id=manager.id,
                                    organisation_id=shared[0], planned_for=planned_for,
                                    status="planned", created_at=now, updated_at=now)
    db.session.add(conversation)
    db.session.commit()
    return conversation


def mark_held(conversation: StayConversation, held_on: date | None, today: date) -> None:
    conversation.held_on = _check_day(held_on, today, future=False)
    conversation.status = "held"
    conversation.updated_at = utcnow()
    db.session.commit()


def cancel(conversation: StayConversation) -> None:
    if conversation.status == "held":
        raise StayError("already held")
    conversation.status = "cancelled"
    conversation.updated_at = utcnow()
    db.session.commit()


def add_outcome(conversation: StayConversation, text: str, by: str) -> StayOutcome:
    text = " ".join((text or "").split())
    if not text:
        raise StayError("empty")
    if len(text) > MAX_OUTCOME:
        raise StayError("too long")
    outcome = StayOutcome(conversation_id=conversation.id, text=text, added_by=by,
                          created_at=utcnow())
    db.session.add(outcome)
    db.session.commit()
    return outcome


def remove_outcome(outcome: StayOutcome) -> None:
    """Remove an outcome that has not become a goal (a goal is the teacher's to delete)."""
    if outcome.goal_id is not None:
        raise StayError("is a goal")
    db.session.delete(outcome)
    db.session.commit()


def make_goal(outcome: StayOutcome, teacher: User) -> DevelopmentGoal:
    """The teacher turns an outcome into a goal of their own POP (once)."""
    if outcome.goal_id is not None:
        goal = db.session.get(DevelopmentGoal, outcome.goal_id)
        if goal is not None:
            return goal
    conversation = outcome.conversation
    goal = DevelopmentGoal(user_id=teacher.id, title=outcome.text[:200], status="planned",
                           description=_goal_description(conversation), competences=[])
    db.session.add(goal)
    db.session.flush()
    outcome.goal_id = goal.id
    db.session.commit()
    return goal


def _goal_description(conversation: StayConversation) -> str:
    from flask_babel import format_date, gettext as _

    day = conversation.held_on or conversation.planned_for
    return _("From the stay conversation of %(date)s.", date=format_date(day))


def save_note(conversation: StayConversation, manager: User, text: str) -> None:
    """The manager's own notes on the conversation (empty text removes them)."""
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise StayError("note too long")
    note = db.session.scalar(select(ManagerNote).where(
        ManagerNote.conversation_id == conversation.id))
    if not text:
        if note is not None:
            db.session.delete(note)
    elif note is None:
        db.session.add(ManagerNote(conversation_id=conversation.id, manager_id=manager.id,
                                   text=text, updated_at=utcnow()))
    else:
        note.text, note.updated_at = text, utcnow()
    db.session.commit()


def note_of(conversation: StayConversation, manager: User) -> ManagerNote | None:
    return db.session.scalar(select(ManagerNote).where(
        ManagerNote.conversation_id == conversation.id, ManagerNote.manager_id == manager.id))


# --- reading -------------------------------------------------------------------------------


def as_teacher(user_id: int) -> list[StayConversation]:
    return list(db.session.scalars(
        select(StayConversation).where(StayConversation.teacher_id == user_id)
        .order_by(StayConversation.planned_for.desc(), StayConversation.id.desc())))


def as_manager(user_id: int) -> list[StayConversation]:
    return list(db.session.scalars(
        select(StayConversation).where(StayConversation.manager_id == user_id)
        .order_by(StayConversation.planned_for.desc(), StayConversation.id.desc())))


def teachers_of(manager: User) -> list[User]:
    """Active teachers of the schools where ``manager`` is leidinggevende, except themselves."""
    orgs = managed_org_ids(manager)
    if not orgs:
        return []
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.organisation_id.in_(orgs), RoleAssignment.role.in_(TEACHER_ROLES),
               User.active.is_(True), User.id != manager.id)
        .distinct().order_by(User.name, User.id)))


@dataclass(frozen=True)
class Due:
    """A teacher whose next stay conversation is coming up or overdue."""

    teacher_id: int
    teacher_name: str
    school: str
    remind_from: date
    due_by: date
    first: bool

    def overdue(self, today: date) -> bool:
        return today > self.due_by


def _settings() -> tuple[int, int, int]:
    cfg = current_app.config
    return (int(cfg.get("TALENT_STAY_INTERVAL_MONTHS") or 12),
            int(cfg.get("TALENT_STAY_FIRST_FROM_MONTHS") or 3),
            int(cfg.get("TALENT_STAY_FIRST_BY_MONTHS") or 6))


def next_due(start: date, last_held: date | None) -> tuple[date, date, bool]:
    """(remind from, due by, is it the first) for a teacher who started on ``start``."""
    interval, first_from, first_by = _settings()
    if last_held is None:
        return add_months(start, first_from), add_months(start, max(first_by, first_from)), True
    due_by = add_months(last_held, interval)
    return due_by - timedelta(days=NOTICE_DAYS), due_by, False


def due_for(manager: User, today: date) -> list[Due]:
    """Teachers of the manager's schools without a planned conversation whose next one is due
    (from ``remind_from`` on), most urgent first. Two queries."""
    orgs = managed_org_ids(manager)
    if not orgs:
        return []
    starts = db.session.execute(
        select(RoleAssignment.user_id, RoleAssignment.organisation_id, User.name,
               Organisation.name, func.min(RoleAssignment.created_at))
        .join(User, User.id == RoleAssignment.user_id)
        .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
        .where(RoleAssignment.organisation_id.in_(orgs), RoleAssignment.role.in_(TEACHER_ROLES),
               User.active.is_(True), User.id != manager.id)
        .group_by(RoleAssignment.user_id, RoleAssignment.organisation_id, User.name,
                  Organisation.name)).all()
    if not starts:
        return []
    held: dict[tuple[int, int], date] = {}
    planned: set[tuple[int, int]] = set()
    for teacher_id, org_id, status, last in db.session.execute(
            select(StayConversation.teacher_id, StayConversation.organisation_id,
                   StayConversation.status, func.max(StayConversation.held_on))
            .where(StayConversation.organisation_id.in_(orgs),
                   StayConversation.status.in_(("planned", "held")))
            .group_by(StayConversation.teacher_id, StayConversation.organisation_id,
                      StayConversation.status)):
        if status == "planned":
            planned.add((teacher_id, org_id))
        elif last is not None:
            held[(teacher_id, org_id)] = last
    found = []
    for teacher_id, org_id, name, school, started in starts:
        if (teacher_id, org_id) in planned:
            continue
        start = started.date() if started else today
        remind_from, due_by, first = next_due(start, held.get((teacher_id, org_id)))
        if today >= remind_from:
            found.append(Due(teacher_id, name, school, remind_from, due_by, first))
    found.sort(key=lambda d: (d.due_by, d.teacher_name))
    return found


def upcoming_for(manager_id: int, today: date) -> int:
    """How many planned conversations the manager has from today on."""
    return db.session.scalar(select(func.count(StayConversation.id)).where(
        StayConversation.manager_id == manager_id, StayConversation.status == "planned",
        StayConversation.planned_for >= today)) or 0
