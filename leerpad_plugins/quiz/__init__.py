"""The bundled quiz plugin: single- and multiple-answer questions with feedback per answer.

A lesson of type ``quiz`` lists its questions in its front matter; each attempt is stored
(``quiz_attempt``) and recorded as ``attempted`` plus ``passed`` or ``failed``; the lesson is
complete once the learner passed.
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
    return [ActivityType(name="quiz", label=_l("Quiz"), fields=activity.FIELDS,
                         validate=activity.validate, render=_render)]


def _render(lesson, user):
    from . import views

    return views.render(lesson, user)


@hookimpl
def lms_register_blueprints(app):
    from lms.web.old_urls import redirect_old_paths

    from . import models, views  # noqa: F401  (models: the table joins the metadata)

    redirect_old_paths(app, {"/plugins/quiz/lessons/<id:lesson_id>/attempts":
                             "/plugins/quiz/lessen/<id:lesson_id>/pogingen"})
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_lesson_is_complete(user, lesson, state):
    if lesson.type != "quiz":
        return None
    return "passed" in (state.verbs or [])


@hookimpl
def lms_personal_data(user):
    from . import scoring

    return scoring.personal_data(user)


@hookimpl
def lms_erase_personal_data(user):
    from . import scoring

    scoring.erase_personal_data(user)


@hookimpl
def lms_demo_region(region):
    """The demo learners' quiz attempts."""
    from . import demo

    demo.add_attempts(region)
