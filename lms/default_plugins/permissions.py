"""The core access rules, registered like any plugin and consulted last.

A learner may do everything with their own data except what only a supervisor does
(granting exemptions, signing off). A mentor sees the learners assigned to them and signs
off their work; a schoolopleider also enrols and grants exemptions for learners of their
school(s); a coordinator sees status (not content) in their organisation subtree, enrols and
grants exemptions; an admin may do anything. Content (courses, tracks, the catalogue) is
open to every signed-in user.
"""
from __future__ import annotations

from lms import hookimpl
from lms.access import (ADMIN, COORDINATOR, MENTOR, SCHOOLOPLEIDER, SELF, learner_id_of,
                        may_see_org, org_role_ids, relations_to)
from lms.models.content import Course, Lesson, Track
from lms.models.organisations import Organisation

SUPERVISOR_ONLY = frozenset({"exemption.grant", "competence.sign_off", "hours_rule.choose"})
MENTOR_ACTIONS = frozenset({
    "path.view", "progress.view", "goals.view", "competence.sign_off", "reflection.view_shared",
})
SCHOOLOPLEIDER_ACTIONS = MENTOR_ACTIONS | {"enrolment.create", "exemption.grant",
                                           "hours_rule.choose"}
# Coordinators see status, not content (see access.CONTENT_TIERS).
COORDINATOR_ACTIONS = frozenset({"progress.view", "enrolment.create", "exemption.grant"})
CONTENT_ACTIONS = frozenset({"catalogue.view", "course.view", "track.view", "lesson.view"})
# Roles whose holders may create accounts, and the roles a coordinator may give.
INVITING_ROLE = "coordinator"
COORDINATOR_GRANTS = frozenset({"learner", "mentor", "schoolopleider", "leidinggevende",
                               "coordinator"})
ENROLLING_ROLES = frozenset({"schoolopleider", "coordinator"})


def _people_rule(user, action: str, resource) -> bool | None:
    """Who creates accounts and enrols others: admins anywhere, coordinators in their
    subtree (and only the roles of a school); schoolopleiders and coordinators enrol."""
    if action == "people.invite":
        if user.is_admin:
            return True
        if resource is None:
            return bool(org_role_ids(user, INVITING_ROLE))
        return isinstance(resource, Organisation) and may_see_org(user, resource, INVITING_ROLE)
    if action == "people.grant_role":
        return user.is_admin or (resource in COORDINATOR_GRANTS
                                 and bool(org_role_ids(user, INVITING_ROLE)))
    if action == "enrolment.create" and resource is None:
        return user.is_admin or bool(user.role_names() & ENROLLING_ROLES)
    return None


def core_permission(user, action: str, resource) -> bool:
    if action in CONTENT_ACTIONS and (resource is None or isinstance(resource, (Course, Track, Lesson))):
        return True
    people_rule = _people_rule(user, action, resource)
    if people_rule is not None:
        return people_rule
    learner_id = learner_id_of(resource)
    if learner_id is not None:
        if user.id == learner_id and action not in SUPERVISOR_ONLY:
            return True  # no query: the learner's own pages stay within their budget
        wanted = {rel for rel, actions in ((MENTOR, MENTOR_ACTIONS),
                                            (SCHOOLOPLEIDER, SCHOOLOPLEIDER_ACTIONS),
                                            (COORDINATOR, COORDINATOR_ACTIONS))
                  if action in actions}
        return bool(relations_to(user, learner_id, wanted | {ADMIN}) - {SELF})
    return user.is_admin


@hookimpl(trylast=True)
def lms_permission(user, action, resource):
    return core_permission(user, action, resource)
