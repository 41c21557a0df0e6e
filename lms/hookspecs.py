"""The Leerpad plugin API: every hook a plugin can implement.

A plugin is a module or package with functions decorated by ``lms.hookimpl`` whose names
match the specs below. Unknown hook names stop start-up (``check_pending``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask

hookspec = pluggy.HookspecMarker("lms")

# --- start-up and wiring ---------------------------------------------------------------


@hookspec
def lms_startup(app: Flask) -> None:
    """Called once when the app has been created, with the app context pushed.

    :param app: the Flask application.
    Raise an exception to stop start-up (for example on missing configuration).
    """


@hookspec
def lms_register_blueprints(app: Flask) -> list[Blueprint]:
    """Return blueprints to register. A blueprint's templates live in
    ``templates/<plugin>/`` inside the plugin package.

    :param app: the Flask application.
    :returns: a list of ``flask.Blueprint`` (or one blueprint, or None).
    """


@hookspec
def lms_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``lms`` command line.

    :param cli: the ``lms`` click group; call ``cli.add_command(...)``.
    """


@hookspec
def lms_migration_locations() -> list[str]:
    """Return directories holding this plugin's Alembic revisions (its own branch label,
    ``depends_on`` the core branch ``lms``). ``lms db upgrade`` upgrades every head.
    """


# --- content ----------------------------------------------------------------------------


@hookspec
def lms_activity_types() -> list[Any]:
    """Return ``lms.activities.ActivityType`` objects: lesson types such as page or quiz.

    Each type declares the front-matter keys it needs, validates them, and renders
    its activity UI on the lesson page.
    """


@hookspec
def lms_markdown_extensions() -> list[Any]:
    """Return extra python-markdown extensions (instances or import names).
    Their output is still sanitised by the core's allow-list.
    """


@hookspec
def lms_course_loaded(course: Any) -> list[tuple[str, str]] | None:
    """Called for each parsed course before import, to validate or enrich it.

    :param course: the parsed ``lms.content.loader.CourseFile`` with its lessons.
    :returns: a list of ``(field, message)`` problems, or None. Problems block the import.
    """


# --- tracking ---------------------------------------------------------------------------


@hookspec
def lms_progress_recorded(event: Any) -> None:
    """Listener: called after a progress event has been committed.

    :param event: the stored ``ProgressEvent``.
    A listener that raises is logged with the plugin's name; the event stays stored.
    """


@hookspec(firstresult=True)
def lms_lesson_is_complete(user: Any, lesson: Any, state: Any) -> bool | None:
    """Completion rule (firstresult): return True/False to decide, None to pass.

    :param user: the learner. :param lesson: the ``Lesson``.
    :param state: the learner's ``LessonState`` (status, score, attempts, signed-off flag).
    The core's default rule is ``trylast``.
    """


# --- pages ------------------------------------------------------------------------------


@hookspec
def lms_nav_items(user: Any) -> list[Any]:
    """Return ``lms.activities.NavItem`` entries for the main navigation.

    :param user: the current user (may be anonymous).
    """


@hookspec
def lms_dashboard_widgets(user: Any, scope: str) -> list[Any]:
    """Return HTML blocks (``markupsafe.Markup``) for a dashboard.

    :param user: the viewer. :param scope: ``home``, ``mentor``, ``schoolopleider`` or ``coordinator``.
    """


@hookspec
def lms_path_sections(user: Any, path: Any) -> list[Any]:
    """Return extra sections (``Markup``) for a learner's path page.

    :param user: the learner whose path it is. :param path: the computed ``LearningPath``.
    """


# --- data and access --------------------------------------------------------------------


@hookspec
def lms_exporters() -> list[Any]:
    """Return ``lms.activities.Exporter`` objects (name, label, media type, function)."""


@hookspec(firstresult=True)
def lms_permission(user: Any, action: str, resource: Any) -> bool | None:
    """Access rule (firstresult): return True to allow, False to deny, None to pass.

    :param user: who asks. :param action: e.g. ``path.view``. :param resource: the object.
    The core's rules run ``trylast``.
    """
