"""Who reaches the mentor, schoolopleider and coordinator pages, their navigation links, and
the core's own sign-off items (competences learners ask their mentor to confirm)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.access import MENTOR, can, learner_id_of, may_see_org, relations_to
from lms.activities import NavItem
from lms.models.organisations import Organisation

# action → the role that opens it (on an organisation: at it or above it).
DASHBOARDS = {
    "mentor.dashboard": ("mentor", "schoolopleider"),
    "schoolopleider.dashboard": ("schoolopleider",),
    "school.learners": ("schoolopleider",),
    "school.manage": ("schoolopleider",),
    "coordinator.dashboard": ("coordinator",),
}
# action on a learner → the relations that allow it.
LEARNER_ACTIONS = {"mentor.view_learner": {MENTOR}}


@hookimpl
def lms_permission(user, action, resource):
    if action in LEARNER_ACTIONS:
        learner_id = learner_id_of(resource)
        return learner_id is not None and bool(
            relations_to(user, learner_id, LEARNER_ACTIONS[action]))
    roles = DASHBOARDS.get(action)
    if roles is None:
        return None
    if isinstance(resource, Organisation):
        return any(may_see_org(user, resource, role) for role in roles)
    if resource is None:
        return user.is_admin or bool(user.role_names() & set(roles))
    return False


@hookimpl
def lms_sign_off_items(reviewer, learner_ids):
    from lms.mentoring import confirmation_items

    return confirmation_items(reviewer, learner_ids)


@hookimpl
def lms_sign_off_count(reviewer):
    from lms.mentoring import confirmation_count

    return confirmation_count(reviewer)


@hookimpl
def lms_nav_items(user):
    if not getattr(user, "is_authenticated", False):
        return None
    # The links ask the same rules as the pages they open.
    links = (("mentor.dashboard", NavItem("mentor.index", _l("Mentoring"), 40)),
             ("schoolopleider.dashboard", NavItem("schoolopleider.index", _l("School"), 45)),
             ("coordinator.dashboard", NavItem("coordinate.index", _l("Coordination"), 50)),
             ("privacy.admin", NavItem("privacy.review", _l("Privacy"), 92)))
    items = [item for action, item in links if can(user, action)]
    if can(user, "mentor.dashboard"):
        # One query, on every page, for reviewers only (see lms_sign_off_count).
        from lms.homes import waiting_count

        items.append(NavItem("mentor.queue", _l("Sign off"), 41, count=waiting_count(user),
                             count_label=_l("waiting")))
    return items
