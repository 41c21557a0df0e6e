"""The bundled reflection plugin: prompts in a lesson, answered in the teacher's own logbook.

Entries are private; the learner can share one with their mentor (and take it back). A
mentor reads only shared entries of the learners assigned to them. Writing an entry records
``completed`` for the lesson.
"""
from __future__ import annotations

from importlib import resources

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import ActivityType, NavItem

from . import activity, models, views  # noqa: F401  (models: the table joins the metadata)

__version__ = "1.0"


@hookimpl
def lms_activity_types():
    return [ActivityType(name="reflection", label=_l("Reflection"), fields=activity.FIELDS,
                         validate=activity.validate, render=views.render)]


@hookimpl
def lms_register_blueprints(app):
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_nav_items(user):
    if getattr(user, "is_authenticated", False):
        return [NavItem("reflection.logbook", _l("Logbook"), 30)]
    return None
