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
                        org_and_ancestor_ids, org_role_ids, relations_to)
from lms.models.content import Course, Lesson, Track
from lms.models.organisations import Organisation

SUPERVISOR_ONLY = frozenset({"exemption.grant", "assignment.sign_off", "competence.sign_off"})
MENTOR_ACTIONS = frozenset({
    "path.view", "progress.view", "hours.view", "goals.view", "credential.view",
    "assignment.sign_off", "competence.sign_off", "reflection.view_shared",
})
SCHOOLOPLEIDER_ACTIONS = MENTOR_ACTIONS | {"enrolment.create", "exemption.grant"}
# Coordinators see status, not content (see access.CONTENT_TIERS).
COORDINATOR_ACTIONS = frozenset({
    "progress.view", "credential.view", "enrolment.create", "exemption.grant", "report.view",
})
ORG_ACTIONS = frozenset({"report.view", "learners.view", "export.run"})
CONTENT_ACTIONS = frozenset({"catalogue.view", "course.view", "track.view", "lesson.view"})


def core_permission(user, action: str, resource) -> bool:
    if action in CONTENT_ACTIONS and (resource is None or isinstance(resource, (Course, Track, Lesson))):
        return True
    learner_id = learner_id_of(resource)
    if learner_id is not None:
        if user.id == learner_id and action not in SUPERVISOR_ONLY:
            return True  # no query: the learner's own pages stay within their budget
        wanted = {rel for rel, actions in ((MENTOR, MENTOR_ACTIONS),
                                            (SCHOOLOPLEIDER, SCHOOLOPLEIDER_ACTIONS),
                                            (COORDINATOR, COORDINATOR_ACTIONS))
                  if action in actions}
        return bool(relations_to(user, learner_id, wanted | {ADMIN}) - {SELF})
    if isinstance(resource, Organisation):
        if user.is_admin:
            return True
        if action not in ORG_ACTIONS:
            return False
        above = org_and_ancestor_ids({resource.id})
        return bool(org_role_ids(user, "coordinator") & above
                    or resource.id in org_role_ids(user, "schoolopleider"))
    return user.is_admin


@hookimpl(trylast=True)
def lms_permission(user, action, resource):
    return core_permission(user, action, resource)
