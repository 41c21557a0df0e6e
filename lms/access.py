"""Who may do what: the one place that answers "may USER do ACTION on THING".

``can(user, action, resource)`` asks the ``lms_permission`` hook (firstresult): plugins
answer first, the core rules (``lms.default_plugins.permissions``) run last. Actions are
dotted names such as ``path.view``, ``progress.record``, ``enrolment.create`` and
``exemption.grant``. A resource is a learner (``User``), anything with a ``user_id`` (their
enrolment, state, hours...), an ``Organisation``, or content (``Course``, ``Track``).
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import select

from lms.extensions import db
from lms.models.accounts import MentorAssignment, RoleAssignment, User
from lms.models.organisations import Organisation

# How a user relates to a learner; the core rules map each relation to its actions.
SELF, MENTOR, SCHOOLOPLEIDER, COORDINATOR, ADMIN = (
    "self", "mentor", "schoolopleider", "coordinator", "admin")


def can(user: Any, action: str, resource: Any = None) -> bool:
    """True when ``user`` may do ``action`` on ``resource``; anonymous users may do nothing."""
    from lms.plugins import get_pm

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    if privacy_tier_denies(user, action, resource):
        return False
    return bool(get_pm().hook.lms_permission(user=user, action=action, resource=resource))


def require(user: Any, action: str, resource: Any = None) -> None:
    """Abort unless allowed: 404 for another learner's data the user has nothing to do with
    (so it does not even exist for them), else 403."""
    if can(user, action, resource):
        return
    learner_id = learner_id_of(resource)
    if (learner_id is not None and getattr(user, "is_authenticated", False)
            and not relations_to(user, learner_id)):
        abort(404)
    abort(403)


def learner_id_of(resource: Any) -> int | None:
    """The learner a resource belongs to, if it belongs to one."""
    if isinstance(resource, User):
        return resource.id
    user_id = getattr(resource, "user_id", None)
    return user_id if isinstance(user_id, int) else None


def learner_org_ids(learner_id: int) -> set[int]:
    """Organisations where the learner holds any role (their schools)."""
    return set(db.session.scalars(
        select(RoleAssignment.organisation_id).where(RoleAssignment.user_id == learner_id)))


def org_and_ancestor_ids(org_ids: set[int]) -> set[int]:
    """These organisations and everything above them."""
    found: set[int] = set()
    for org_id in org_ids:
        org = db.session.get(Organisation, org_id)
        while org is not None and org.id not in found:
            found.add(org.id)
            org = org.parent
    return found


def org_role_ids(user: Any, role: str) -> set[int]:
    return {r.organisation_id for r in user.roles if r.role == role}


def relations_to(user: Any, learner_id: int, wanted: set[str] | None = None) -> set[str]:
    """How ``user`` relates to the learner: self, mentor, schoolopleider, coordinator, admin.
    Only the ``wanted`` relations are looked up (each may cost a query)."""
    wanted = wanted or {SELF, MENTOR, SCHOOLOPLEIDER, COORDINATOR, ADMIN}
    found: set[str] = set()
    if SELF in wanted and user.id == learner_id:
        found.add(SELF)
    if ADMIN in wanted and user.is_admin:
        found.add(ADMIN)
    if MENTOR in wanted and db.session.scalar(select(MentorAssignment.id).where(
            MentorAssignment.mentor_id == user.id, MentorAssignment.learner_id == learner_id)):
        found.add(MENTOR)
    schools = org_role_ids(user, "schoolopleider") if SCHOOLOPLEIDER in wanted else set()
    coordinated = org_role_ids(user, "coordinator") if COORDINATOR in wanted else set()
    if schools or coordinated:
        orgs = learner_org_ids(learner_id)
        if schools & orgs:
            found.add(SCHOOLOPLEIDER)
        if coordinated and coordinated & org_and_ancestor_ids(orgs):
            found.add(COORDINATOR)
    return found


def supervised_learners(user: Any) -> list[User]:
    """People a schoolopleider or coordinator may enrol: those in their schools or subtree."""
    scope = org_role_ids(user, "schoolopleider") | org_role_ids(user, "coordinator")
    if user.is_admin:
        return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))
    if not scope:
        return []
    orgs = {o.id for o in db.session.scalars(select(Organisation))}
    below = {org_id for org_id in orgs if org_and_ancestor_ids({org_id}) & scope}
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.organisation_id.in_(below), RoleAssignment.role == "learner",
               User.active.is_(True))
        .distinct().order_by(User.name)))


# --- privacy tiers ------------------------------------------------------------------------
# Content a person wrote (reflections, feedback, submissions, goals, hours descriptions, the
# full path page) is seen only by these relations, whatever a plugin's rule answers:
# coordinators see status and counts, never content; mentors only their own learners'
# shared work; schoolopleiders only their schools. Checked before the lms_permission hook.
CONTENT_TIERS: dict[str, frozenset[str]] = {
    "reflection.view": frozenset({SELF}),
    "reflection.view_shared": frozenset({SELF, MENTOR}),
    "feedback.view": frozenset({SELF, MENTOR, SCHOOLOPLEIDER}),
    "submission.view": frozenset({SELF, MENTOR, SCHOOLOPLEIDER, ADMIN}),
    "goals.view": frozenset({SELF, MENTOR, SCHOOLOPLEIDER, ADMIN}),
    "path.view": frozenset({SELF, MENTOR, SCHOOLOPLEIDER, ADMIN}),
    "mentor.view_learner": frozenset({MENTOR}),
}


def privacy_tier_denies(user: Any, action: str, resource: Any) -> bool:
    """True when ``action`` is a content action and ``user`` is not in its tier for the
    learner the resource belongs to (one query at most; none for the learner themselves)."""
    tier = CONTENT_TIERS.get(action)
    if tier is None:
        return False
    learner_id = learner_id_of(resource)
    if learner_id is None:
        return not getattr(user, "is_admin", False)
    if learner_id == user.id:
        return SELF not in tier
    return not (relations_to(user, learner_id, set(tier) - {SELF}) & tier)


def dashboard_orgs(user: Any, role: str) -> list[Organisation]:
    """The organisations whose ``role`` dashboard (coordinator, schoolopleider) opens for
    ``user`` from its index page: where they hold the role; for an administrator the regions
    (coordinator) or every school (schoolopleider)."""
    if getattr(user, "is_admin", False):
        stmt = (select(Organisation).where(Organisation.parent_id.is_(None)) if role == "coordinator"
                else select(Organisation).where(Organisation.kind == "school"))
    else:
        stmt = select(Organisation).where(Organisation.id.in_(org_role_ids(user, role)))
    return list(db.session.scalars(stmt.order_by(Organisation.name)))


def may_see_org(user: Any, org: Organisation, role: str) -> bool:
    """``user`` holds ``role`` (schoolopleider, coordinator) at ``org`` or above it, or is admin."""
    if getattr(user, "is_admin", False):
        return True
    held = org_role_ids(user, role)
    return bool(held) and bool(held & org_and_ancestor_ids({org.id}))


def record_views(viewer: Any, person_ids, what: str, object_id: Any = None) -> None:
    """Audit that ``viewer`` saw ``what`` of these people's personal data (one statement;
    the caller commits). Looking at one's own data is not recorded."""
    from sqlalchemy import insert

    from lms.models.audit import AuditEvent
    from lms.models.base import utcnow

    now = utcnow()
    rows = [{"at": now, "actor_id": viewer.id, "action": "personal_data.view", "subject_id": pid,
             "object_type": what, "object_id": None if object_id is None else str(object_id)}
            for pid in sorted(set(person_ids)) if pid != viewer.id]
    if rows:
        db.session.execute(insert(AuditEvent), rows)
