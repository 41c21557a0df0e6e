"""The Leerpad plugin API: every hook a plugin can implement.

A plugin is a module or package with functions decorated by ``lms.hookimpl`` whose names
match the specs below (``from lms import hookimpl`` is the one import a plugin needs). A
function may take fewer arguments than its spec offers. List hooks collect one result per
plugin (an item, a list of items, or None); ``firstresult`` hooks stop at the first answer
that is not None. An unknown hook name stops start-up with a message naming the plugin.
Every hook is documented with an example in ``docs/plugins.md``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask
    from markupsafe import Markup

    from lms.activities import ActivityType, Exporter, NavItem

hookspec = pluggy.HookspecMarker("lms")

# --- start-up and wiring ---------------------------------------------------------------


@hookspec
def lms_startup(app: Flask) -> None:
    """Called once when the app has been created, with an app context pushed.

    :param app: the Flask application (its config holds the plugin's settings).
    :returns: nothing. Raise an exception to stop start-up, e.g. on missing configuration.
    """


@hookspec
def lms_register_blueprints(app: Flask) -> Blueprint | list[Blueprint] | None:
    """Return blueprints to register, conventionally under ``/plugins/<name>/``.

    Templates of a plugin package live in its ``templates/<name>/`` folder and are found
    as ``render_template("<name>/page.html")``.

    :param app: the Flask application.
    :returns: a ``flask.Blueprint``, a list of them, or None.
    """


@hookspec
def lms_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``lms`` command line (loaded when the CLI first needs the app).

    :param cli: the ``lms`` click group; call ``cli.add_command(...)``.
    :returns: nothing.
    """


@hookspec
def lms_migration_locations() -> str | list[str] | None:
    """Return the folder(s) holding this plugin's Alembic revisions.

    The plugin's revisions form their own branch (``branch_labels=("<name>",)``,
    ``depends_on`` a core revision); ``lms db upgrade`` upgrades every head.

    :returns: a path or list of paths (``str`` or ``pathlib.Path``), or None.
    """


# --- content ----------------------------------------------------------------------------


@hookspec
def lms_activity_types() -> ActivityType | list[ActivityType] | None:
    """Return lesson types (``lms.activities.ActivityType``) such as page or quiz.

    Each type declares its extra front-matter keys (``fields``), checks them
    (``validate(meta) -> [(field, message)]``, used by ``lms courses check``) and renders
    its activity under the lesson text (``render(lesson, user) -> Markup``).

    :returns: an ``ActivityType``, a list of them, or None.
    """


@hookspec
def lms_markdown_extensions() -> list[Any] | None:
    """Return extra python-markdown extensions used when courses are imported.

    Their output is still sanitised by the core's allow-list (nh3).

    :returns: a list of extension instances or import names (``"attr_list"``), or None.
    """


@hookspec
def lms_course_loaded(course: Any) -> list[tuple[str, str]] | None:
    """Called for each parsed course while checking or importing, to validate or enrich it.

    :param course: the parsed ``lms.content.loader.CourseFile`` with its lessons.
    :returns: a list of ``(field, message)`` problems, or None. Problems block the import.
    """


# --- tracking ---------------------------------------------------------------------------


@hookspec
def lms_progress_recorded(event: Any) -> None:
    """Listener: called after a progress event has been committed.

    Each listener runs on its own: one that raises is logged with the plugin's name, its
    session changes are rolled back, the event stays stored and the page still works.

    :param event: the stored ``lms.models.progress.ProgressEvent`` (``user_id``, ``verb``,
        ``lesson_id``, ``course_id``, ``result``, ``timestamp``, ``registration``).
    :returns: nothing.
    """


@hookspec(firstresult=True)
def lms_lesson_is_complete(user: Any, lesson: Any, state: Any) -> bool | None:
    """Completion rule, asked after every event (firstresult: the first True/False wins).

    The core rule runs ``trylast``: complete once ``completed``, ``passed`` or ``approved``
    has been recorded. Answer None for lessons that are not yours.

    :param user: the learner (``User``).
    :param lesson: the ``Lesson`` (``type``, ``settings`` = its type's front matter).
    :param state: the learner's ``LessonState`` (status, score, attempts, verbs seen).
    :returns: True (complete), False (not complete) or None (no opinion).
    """


# --- pages ------------------------------------------------------------------------------


@hookspec
def lms_nav_items(user: Any) -> NavItem | list[NavItem] | None:
    """Return links for the main navigation (``lms.activities.NavItem``).

    :param user: the current user (may be anonymous: check ``is_authenticated``).
    :returns: a ``NavItem``, a list of them, or None.
    """


@hookspec
def lms_dashboard_widgets(user: Any, scope: str) -> Markup | list[Markup] | None:
    """Return HTML blocks for a dashboard (templates show them with
    ``dashboard_widgets(scope)``).

    :param user: the viewer.
    :param scope: ``home``, ``mentor``, ``schoolopleider`` or ``coordinator``.
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


@hookspec
def lms_path_sections(user: Any, path: Any) -> Markup | list[Markup] | None:
    """Return extra sections for a learner's path page.

    :param user: the learner whose path it is (the viewer may be their mentor).
    :param path: the computed ``LearningPath``.
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


# --- data and access --------------------------------------------------------------------


@hookspec
def lms_exporters() -> Exporter | list[Exporter] | None:
    """Return export formats (``lms.activities.Exporter``). CSV is built in.

    :returns: an ``Exporter``, a list of them, or None.
    """


@hookspec(firstresult=True)
def lms_permission(user: Any, action: str, resource: Any) -> bool | None:
    """Access rule (firstresult): the first True/False wins; None passes to the next rule.

    The core rules run ``trylast``. Privacy tiers (who may read reflections, submissions)
    are checked before this hook and cannot be widened by it.

    :param user: who asks (authenticated and active).
    :param action: a dotted action name, e.g. ``path.view`` or ``assignment.sign_off``.
    :param resource: the object (a ``User``, a row with ``user_id``, an ``Organisation``,
        a ``Course``...) or None.
    :returns: True (allow), False (deny) or None (no opinion).
    """
