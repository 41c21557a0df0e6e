"""The bundled assignment plugin: a task the learner hands in (text and/or a file) and their
mentor or schoolopleider signs off.

A submission records ``submitted``; the reviewer approves (``approved``: the lesson is
complete) or returns it with feedback (``returned``: the learner hands in again). Files are
stored in the database, so several app servers can serve them.
"""
from __future__ import annotations

from importlib import resources

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import ActivityType

from . import activity

# Only what a course check needs is imported here (``lms courses check`` loads this module
# without the app: docs/plugins.md, "Course checks without the app"); the views, the models
# and the rest are imported by the hooks that use them, the models when the app registers
# the blueprint (so the table joins the metadata of every built app).

__version__ = "1.0"


@hookimpl
def lms_activity_types():
    return [ActivityType(name="assignment", label=_l("Assignment"), fields=activity.FIELDS,
                         validate=activity.validate, render=_render)]


def _render(lesson, user):
    from . import views

    return views.render(lesson, user)


@hookimpl
def lms_register_blueprints(app):
    from lms.web.old_urls import redirect_old_paths

    from . import models, views  # noqa: F401  (models: the table joins the metadata)

    here = "/plugins/assignment"
    redirect_old_paths(app, {
        f"{here}/lessons/<id:lesson_id>/submissions": f"{here}/lessen/<id:lesson_id>/inleveringen",
        f"{here}/queue": f"{here}/aftekenen",
        f"{here}/submissions/<id:submission_id>": f"{here}/inleveringen/<id:submission_id>",
        f"{here}/submissions/<id:submission_id>/decision":
            f"{here}/inleveringen/<id:submission_id>/besluit",
        f"{here}/submissions/<id:submission_id>/file":
            f"{here}/inleveringen/<id:submission_id>/bestand",
    })
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_lesson_is_complete(user, lesson, state):
    """Handing in is not enough: only an approval completes an assignment."""
    if lesson.type != "assignment":
        return None
    return "approved" in (state.verbs or [])


@hookimpl
def lms_permission(user, action, resource):
    from . import models, work

    if isinstance(resource, models.AssignmentSubmission):
        return work.permission(user, action, resource)
    return None


@hookimpl
def lms_sign_off_items(reviewer, learner_ids):
    from . import work

    return work.sign_off_items(reviewer, learner_ids)


@hookimpl
def lms_sign_off_count(reviewer):
    from . import work

    return work.sign_off_count(reviewer)


@hookimpl
def lms_personal_data(user):
    from . import work

    return work.personal_data(user)


@hookimpl
def lms_erase_personal_data(user):
    from . import work

    work.erase_personal_data(user)


@hookimpl
def lms_demo_region(region):
    """The demo learners' hand-ins: approved, and waiting for sign-off."""
    from . import demo

    demo.add_submissions(region)
