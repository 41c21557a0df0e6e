"""Talent nominations: an example Leerpad plugin.

A mentor (or schoolopleider) nominates a learner of their school as a talent, with a short
motivation. The plugin has its own table and Alembic branch, pages under
``/plugins/nominations/``, an access rule, a section on the supervisors' page about a
learner, a coordinator widget with counts per school, a setting, and personal-data hooks.
Its interface is in Dutch, as plain strings (see README.md).
"""
from __future__ import annotations

from importlib import resources

from lms import hookimpl
from lms.access import MENTOR, SCHOOLOPLEIDER, can, learner_id_of, may_see_org, relations_to
from lms.activities import Setting, render_fragment
from lms.models import Organisation

from . import models, nominating, views  # noqa: F401  (models: the table joins the metadata)

__version__ = "1.0.0"


@hookimpl
def lms_settings():
    return Setting("NOMINATIONS_MAX_PER_YEAR",
                   "how many nominations one person may make per calendar year",
                   default=3, type=int)


@hookimpl
def lms_migration_locations():
    return str(resources.files(__name__) / "migrations" / "versions")


@hookimpl
def lms_register_blueprints(app):
    return views.bp


@hookimpl
def lms_permission(user, action, resource):
    """Only the learner's mentor or schoolopleider nominates and reads nominations; a
    coordinator sees the counts of their organisation subtree."""
    if action in ("nominations.create", "nominations.view"):
        learner_id = learner_id_of(resource)
        return learner_id is not None and bool(
            relations_to(user, learner_id, {MENTOR, SCHOOLOPLEIDER}))
    if action == "nominations.report":
        return isinstance(resource, Organisation) and may_see_org(user, resource, "coordinator")
    return None  # not ours: the next rule decides


@hookimpl
def lms_learner_sections(viewer, learner, scope):
    if not can(viewer, "nominations.view", learner):
        return None
    return render_fragment("nominations/_section.html", learner=learner,
                           nominations=nominating.of_learner(learner.id),
                           may_nominate=can(viewer, "nominations.create", learner))


@hookimpl
def lms_dashboard_widgets(user, scope, organisation):
    if scope != "coordinator" or organisation is None:
        return None
    if not can(user, "nominations.report", organisation):
        return None
    return render_fragment("nominations/_widget.html",
                           schools=nominating.per_school(organisation))


@hookimpl
def lms_personal_data(user):
    return nominating.personal_data(user)


@hookimpl
def lms_erase_personal_data(user):
    nominating.erase(user)
