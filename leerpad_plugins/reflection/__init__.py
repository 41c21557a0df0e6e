"""The bundled reflection plugin: prompts in a lesson, answered in the teacher's own logbook.

Entries are private; the learner can share one with their mentor (and take it back). A
mentor reads only shared entries of the learners assigned to them. The lesson is completed
once every prompt has an answer (``completed`` is recorded then); an answer before that
records ``attempted`` and leaves the lesson in progress.
"""
from __future__ import annotations

from importlib import resources

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import ActivityType, LearnerColumn, NavItem, render_fragment

from . import activity

# Only what a course check needs is imported here (``lms courses check`` loads this module
# without the app: docs/plugins.md, "Course checks without the app"); the views, the models
# and the rest are imported by the hooks that use them, the models when the app registers
# the blueprint (so the table joins the metadata of every built app).

__version__ = "1.0"


@hookimpl
def lms_activity_types():
    return [ActivityType(name="reflection", label=_l("Reflection"), fields=activity.FIELDS,
                         validate=activity.validate, render=_render)]


def _render(lesson, user):
    from . import views

    return views.render(lesson, user)


@hookimpl
def lms_register_blueprints(app):
    from lms.web.old_urls import redirect_old_paths

    from . import models, views  # noqa: F401  (models: the table joins the metadata)

    here = "/plugins/reflection"
    redirect_old_paths(app, {
        f"{here}/lessons/<id:lesson_id>/prompts/<prompt_id>":
            f"{here}/lessen/<id:lesson_id>/vragen/<prompt_id>",
        f"{here}/entries/<id:entry_id>/share": f"{here}/notities/<id:entry_id>/delen",
        f"{here}/learners/<id:learner_id>": f"{here}/deelnemers/<id:learner_id>",
    })
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_nav_items(user):
    if getattr(user, "is_authenticated", False):
        return [NavItem("reflection.logbook", _l("Logbook"), 30)]
    return None


@hookimpl
def lms_learner_columns(viewer, learner_ids, scope):
    """The mentor's overview counts what each learner shared with them."""
    if scope != "mentor":
        return None
    from . import portfolio

    return LearnerColumn("reflection.shared", _l("Shared reflections"),
                         portfolio.shared_counts(viewer, learner_ids))


@hookimpl
def lms_learner_sections(viewer, learner, scope):
    """The mentor reads what the learner shared with them; nobody else sees entries here."""
    from lms.access import can

    from . import portfolio

    if scope != "mentor" or not can(viewer, "reflection.view_shared", learner):
        return None
    entries = portfolio.entries_of(learner.id, shared_only=True)
    return render_fragment("reflection/shared_section.html", entries=entries,
                           prompt_text=portfolio.prompt_text)


@hookimpl
def lms_personal_data(user):
    from . import portfolio

    return portfolio.personal_data(user)


@hookimpl
def lms_erase_personal_data(user):
    from . import portfolio

    portfolio.erase_personal_data(user)


@hookimpl
def lms_demo_region(region):
    """The demo learners' own logbook entries."""
    from . import demo

    demo.add_entries(region)
