"""A directory plugin for tests/test_hooks.py: one small, observable implementation per hook
that the bundled plugins and the certificate example do not already show."""
from __future__ import annotations

import click
from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import ActivityType, Exporter

__version__ = "0.1"
STARTED: list[str] = []


@hookimpl
def lms_startup(app):
    if app.config.get("HOOKCHECK_REFUSE"):
        raise RuntimeError("hookcheck: HOOKCHECK_REFUSE is set")
    STARTED.append(app.name)


@click.command("hookcheck-hello")
def hello():
    click.echo("hello from a plugin command")


@hookimpl
def lms_register_commands(cli):
    cli.add_command(hello)


@hookimpl
def lms_activity_types():
    return ActivityType(name="checkbox", label=_l("Checkbox"), manual_completion=True,
                        fields={"statement": "what the learner ticks"},
                        validate=lambda meta: [] if meta.get("statement") else
                        [("statement", "say what to tick")])


@hookimpl
def lms_markdown_extensions():
    return ["abbr"]


@hookimpl
def lms_course_loaded(course):
    if course.title.isupper():
        return [("title", "titles may not shout")]
    return None


@hookimpl
def lms_lesson_is_complete(user, lesson, state):
    if lesson.slug == "instant":  # opening it is enough
        return True
    return None


@hookimpl
def lms_exporters():
    return Exporter(name="lines", label="Lines", media_type="text/plain", extension="txt",
                    export=lambda rows, headers=None: "\n".join(str(r) for r in rows))


@hookimpl
def lms_permission(user, action, resource):
    if action == "hookcheck.peek":
        return True
    if action == "reflection.view":  # tries to widen a privacy tier: must not work
        return True
    return None


@hookimpl
def lms_settings():
    from lms.activities import Setting

    return [Setting("HOOKCHECK_LIMIT", "how many things to check", default=3, type=int),
            Setting("HOOKCHECK_TOKEN", "the token of the checked service",
                    required_to_serve=True, secret=True)]


@hookimpl
def lms_learner_sections(viewer, learner, scope):
    from markupsafe import Markup, escape

    return Markup(f'<section class="hookcheck">{escape(viewer.name)} looks at '
                  f'{escape(learner.name)} ({escape(scope)})</section>')


@hookimpl
def lms_dashboard_widgets(user, scope, organisation):
    from markupsafe import Markup, escape

    if organisation is None:
        return None
    return Markup(f'<p class="hookcheck-org">{escape(scope)}: {escape(organisation.name)}</p>')


SEEN_EVENTS: list = []


@hookimpl
def lms_progress_recorded(event):
    SEEN_EVENTS.append((event.verb, event.learner.email, event.lesson.slug, event.course.slug,
                        event.track.slug if event.track else None, event.registration,
                        event.result))


@hookimpl
def lms_path_sections(user, path, viewer):
    from markupsafe import Markup, escape

    return Markup(f'<p class="hookcheck-path">{escape(user.name)}, seen by '
                  f'{escape(viewer.name)}</p>')


@hookimpl
def lms_learner_columns(viewer, learner_ids, scope):
    from lms.activities import LearnerColumn

    return LearnerColumn("hookcheck.stars", "Hookcheck stars",
                         {learner_id: f"{scope}-{learner_id}" for learner_id in learner_ids})


@hookimpl
def lms_personal_data(user):
    return {"notes": [{"text": f"hookcheck note of {user.email}", "blob": b"hookcheck-bytes"}]}


ERASED: list[int] = []


@hookimpl
def lms_erase_personal_data(user):
    ERASED.append(user.id)
