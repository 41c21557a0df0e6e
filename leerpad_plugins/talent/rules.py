"""Who may do what with talent data: the plugin's ``lms_permission`` answers.

Nominations are read by two people only (the nominee and the nominator), stay conversations
by the teacher and the leidinggevende who holds them; the manager's notes by the manager
alone. Not even an administrator reads them: they get counts like a coordinator.
Coordinators see counts for their organisation subtree, and names only on the ambassador
list, which people join themselves.
"""
from __future__ import annotations

from typing import Any

from lms.access import learner_org_ids, may_see_org, org_role_ids
from lms.models import Organisation, User

from .models import Nomination, StayConversation

NOMINATOR_ROLES = ("mentor", "schoolopleider", "leidinggevende")
MANAGER_ROLE = "leidinggevende"
# Roles that make someone a teacher of a school, for stay conversations.
TEACHER_ROLES = ("learner", "mentor", "schoolopleider")

# Actions on an organisation: counts and the ambassador list of its subtree.
ORG_ACTIONS = frozenset({"talent.report", "talent.ambassadors"})


def nominating_org_ids(user: Any) -> set[int]:
    """Organisations where ``user`` may nominate (no query: roles are loaded with the user)."""
    return {r.organisation_id for r in user.roles if r.role in NOMINATOR_ROLES}


def managed_org_ids(user: Any) -> set[int]:
    return org_role_ids(user, MANAGER_ROLE)


def shared_org_ids(user_orgs: set[int], person_id: int) -> set[int]:
    """The organisations among ``user_orgs`` where the person holds any role (one query)."""
    if not user_orgs:
        return set()
    return user_orgs & learner_org_ids(person_id)


def talent_permission(user: Any, action: str, resource: Any) -> bool | None:
    """The answer for ``talent.*`` actions; None for everything else."""
    if not action.startswith("talent."):
        return None
    if action == "talent.nominate":
        orgs = nominating_org_ids(user)
        if isinstance(resource, User):
            return resource.id != user.id and resource.active and bool(
                shared_org_ids(orgs, resource.id))
        return resource is None and bool(orgs)
    if action == "talent.stay.plan":
        orgs = managed_org_ids(user)
        if isinstance(resource, User):
            return resource.id != user.id and resource.active and bool(
                shared_org_ids(orgs, resource.id))
        return resource is None and bool(orgs)
    if isinstance(resource, Nomination):
        if action == "talent.nomination.read":
            return user.id in (resource.nominee_id, resource.nominator_id)
        if action == "talent.nomination.decide":
            return user.id == resource.nominee_id
        if action == "talent.nomination.withdraw":
            return user.id == resource.nominator_id and resource.status == "open"
        return False
    if isinstance(resource, StayConversation):
        if action == "talent.stay.read":
            return user.id in (resource.teacher_id, resource.manager_id)
        if action == "talent.stay.outcome":  # both sides record what they agreed on
            return user.id in (resource.teacher_id, resource.manager_id) and \
                resource.status != "cancelled"
        if action in ("talent.stay.manage", "talent.stay.notes"):
            return user.id == resource.manager_id
        if action == "talent.stay.goal":
            return user.id == resource.teacher_id and resource.status == "held"
        return False
    if action in ORG_ACTIONS:
        if isinstance(resource, Organisation):
            return may_see_org(user, resource, "coordinator")
        return resource is None and (user.is_admin or bool(org_role_ids(user, "coordinator")))
    return False
