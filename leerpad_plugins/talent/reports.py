"""What coordinators see: counts per school, never a name or a motivation.

Nominations per school and role (how many were made, accepted, and accepted by someone who
then started the suggested track) and stay conversations held per school and quarter, for
an organisation's subtree.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms.extensions import db
from lms.models import Enrolment, Organisation, Track

from .models import NOMINATION_ROLES, Nomination, StayConversation
from .nominations import track_mapping


def subtree_ids(org_id: int) -> set[int]:
    """The organisation and everything below it (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in db.session.execute(select(Organisation.id, Organisation.parent_id)):
        children[parent].append(child)
    found, todo = set(), [org_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(children.get(current, []))
    return found


@dataclass
class RoleCounts:
    nominated: int = 0
    accepted: int = 0
    started: int = 0


@dataclass
class SchoolCounts:
    name: str
    roles: dict[str, RoleCounts] = field(default_factory=dict)


def nomination_counts(org_ids: set[int]) -> list[SchoolCounts]:
    """Per school (by name) and role: nominated, accepted, accepted and started the suggested
    track. Three queries."""
    if not org_ids:
        return []
    rows = db.session.execute(
        select(Nomination.organisation_id, Organisation.name, Nomination.role,
               Nomination.status, Nomination.nominee_id)
        .join(Organisation, Organisation.id == Nomination.organisation_id)
        .where(Nomination.organisation_id.in_(org_ids))).all()
    if not rows:
        return []
    mapping = track_mapping()
    accepted = {(r.nominee_id, r.role) for r in rows if r.status == "accepted"}
    started: set[tuple[int, str]] = set()
    if accepted and mapping:
        slugs = set(mapping.values())
        enrolled = {(uid, slug) for uid, slug in db.session.execute(
            select(Enrolment.user_id, Track.slug).join(Track, Track.id == Enrolment.track_id)
            .where(Enrolment.user_id.in_({uid for uid, _ in accepted}), Track.slug.in_(slugs)))}
        started = {(uid, role) for uid, role in accepted
                   if (uid, mapping.get(role)) in enrolled}
    schools: dict[int, SchoolCounts] = {}
    for r in rows:
        school = schools.setdefault(r.organisation_id, SchoolCounts(r.name))
        counts = school.roles.setdefault(r.role, RoleCounts())
        counts.nominated += 1
        if r.status == "accepted":
            counts.accepted += 1
            if (r.nominee_id, r.role) in started:
                counts.started += 1
    for school in schools.values():
        school.roles = {role: school.roles[role] for role in NOMINATION_ROLES
                        if role in school.roles}
    return sorted(schools.values(), key=lambda s: s.name)


def conversations_per_quarter(org_ids: set[int]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Held stay conversations per school and quarter: (quarter labels, [(school, counts)]),
    quarters oldest first. One query."""
    if not org_ids:
        return [], []
    rows = db.session.execute(
        select(Organisation.name, StayConversation.held_on, func.count(StayConversation.id))
        .join(Organisation, Organisation.id == StayConversation.organisation_id)
        .where(StayConversation.organisation_id.in_(org_ids),
               StayConversation.status == "held", StayConversation.held_on.is_not(None))
        .group_by(Organisation.name, StayConversation.held_on)).all()
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    quarters: set[str] = set()
    for school, held_on, n in rows:
        quarter = f"{held_on.year}-Q{(held_on.month - 1) // 3 + 1}"
        quarters.add(quarter)
        counts[school][quarter] += n
    labels = sorted(quarters)
    return labels, [(school, [counts[school][q] for q in labels]) for school in sorted(counts)]
