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
    from flask_login import AnonymousUserMixin
    from markupsafe import Markup

    from lms.activities import (ActivityType, Exporter, LearnerColumn, LearningEvent,
                                LearningRecord, NavItem, Setting, SignOffItem)
    from lms.content.loader import CourseFile
    from lms.demo_region import DemoRegion
    from lms.models import Lesson, Organisation, User
    from lms.models.progress import LessonState
    from lms.readmodels.path import LearningPath

hookspec = pluggy.HookspecMarker("lms")

# --- start-up and wiring ---------------------------------------------------------------


@hookspec
def lms_startup(app: Flask) -> None:
    """Called once when the app has been created, with an app context pushed.

    :param app: the Flask application (its config holds the plugin's settings).
    :returns: nothing. Do not check here that settings are set (declare them with
        ``lms_settings``: a missing one stops only ``lms serve``). To refuse a setting that is
        set but wrong, raise ``lms.plugins.PluginError``: it stops every command, with its
        message as one line.
    """


@hookspec
def lms_settings() -> Setting | list[Setting] | None:
    """Declare the plugin's settings (``lms.activities.Setting``): name, description,
    default, type, and whether serving needs it.

    Declared settings are read like core ones (``LMS_<NAME>`` or the instance ``config.py``),
    converted to their type and defaulted, so ``app.config[name]`` always holds a usable value.
    A setting ``required_to_serve`` that is unset makes ``lms serve`` (and the WSGI app) stop
    with one line naming the plugin and the variable; every other command still runs, so
    ``lms courses check`` works in authors' CI without the plugin's secrets. Prefer this to
    raising in ``lms_startup``. ``lms plugins --settings`` lists them.

    :returns: a ``Setting``, a list of them, or None.
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
def lms_course_loaded(course: CourseFile) -> list[tuple[str, str]] | None:
    """Called for each parsed course while checking or importing, to validate or enrich it.

    :param course: the parsed ``lms.content.loader.CourseFile`` with its lessons.
    :returns: a list of ``(field, message)`` problems, or None. Problems block the import.
    """


# --- tracking ---------------------------------------------------------------------------


@hookspec
def lms_progress_recorded(event: LearningEvent) -> None:
    """Listener: called after a learning event has been committed.

    Each listener runs on its own: one that raises is logged with the plugin's name, its
    session changes are rolled back, the event stays stored and the page still works.

    :param event: an ``lms.activities.LearningEvent``: ``id``, ``verb``, ``timestamp``,
        ``result``, the ``learner`` (``User``), ``lesson``, ``course`` and ``track`` objects
        (loaded once for every listener), ``registration`` (the enrolment's stable UUID, a
        string, or None) and ``user_id``/``lesson_id``/``course_id``. ``result`` holds only
        what docs/plugins.md lists for the verb (scores, success, completion); feedback and
        reflection texts never travel in it.
    :returns: nothing.
    """


@hookspec
def lms_learning_record(record: LearningRecord) -> None:
    """Listener: called after a learning record beyond lesson progress has been committed — a
    course or track completed, a competence confirmed, an exemption granted, a credential
    issued, hours logged, a reflection shared.

    The record is stored first (``learning_record``, in the same transaction as the fact, once
    per ``record.key``), so a listener that fails or a process that stops loses nothing: read
    the log to catch up. Each listener runs on its own, as for ``lms_progress_recorded``.

    :param record: an ``lms.activities.LearningRecord``: ``id``, ``kind``, ``key``,
        ``timestamp``, the ``learner``, ``object_type``/``object_id``/``object_name``, the
        ``course``, ``track`` and ``lesson`` objects where they apply, ``registration`` (the
        enrolment's UUID or None) and ``result`` — per kind as documented on
        ``LearningRecord``, never free text.
    :returns: nothing.
    """


@hookspec(firstresult=True)
def lms_lesson_is_complete(user: User, lesson: Lesson, state: LessonState) -> bool | None:
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
def lms_nav_items(user: User | AnonymousUserMixin) -> NavItem | list[NavItem] | None:
    """Return links for the main navigation (``lms.activities.NavItem``). The items must
    follow from the user's roles: the navigation is remembered per set of role names; a
    per-person number goes in ``count`` (a navigation with a count is asked every request).

    :param user: the current user (may be anonymous: check ``is_authenticated``).
    :returns: a ``NavItem``, a list of them, or None.
    """


@hookspec
def lms_admin_links(user: User) -> NavItem | list[NavItem] | None:
    """Return links to a plugin's own administration pages, listed on the administration
    page (/beheer) after the core's.

    :param user: the administrator who looks (check the access your page itself checks).
    :returns: a ``NavItem`` (``label`` is the link text, lowest ``order`` first), a list of
        them, or None.
    """


@hookspec
def lms_dashboard_widgets(user: User, scope: str,
                          organisation: Organisation | None) -> Markup | list[Markup] | None:
    """Return HTML blocks for a dashboard (templates show them with
    ``dashboard_widgets(scope, organisation)``).

    :param user: the viewer.
    :param scope: ``home``, ``mentor``, ``schoolopleider`` or ``coordinator``.
    :param organisation: the organisation the page shows (the school on the schoolopleider's
        page, the board or region on the coordinator's page, whose subtree the page covers);
        None on ``home`` and ``mentor``.
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


@hookspec
def lms_path_sections(user: User, path: LearningPath,
                      viewer: User) -> Markup | list[Markup] | None:
    """Return extra sections for a learner's own path page ("Mijn leerpad").

    :param user: the learner whose path it is.
    :param path: the computed ``LearningPath``.
    :param viewer: who looks: the learner, or their mentor or schoolopleider through the API.
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


@hookspec
def lms_learner_sections(viewer: User, learner: User,
                         scope: str) -> Markup | list[Markup] | None:
    """Return sections for the pages supervisors open about one learner.

    The core has checked that ``viewer`` may see ``learner`` there; a section shows only what
    the plugin's own rules let ``viewer`` see (never a reflection the learner did not share).

    :param viewer: the mentor or schoolopleider looking.
    :param learner: the learner shown.
    :param scope: ``mentor`` (``/begeleiding/deelnemer/<id>``) or ``schoolopleider``
        (``/schoolopleider/<school>/deelnemer/<id>``).
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


@hookspec
def lms_sign_off_items(reviewer: User | None,
                       learner_ids: list[int] | None) -> SignOffItem | list[SignOffItem] | None:
    """Return the items waiting for a decision (``lms.activities.SignOffItem``): the one
    sign-off queue (``/begeleiding/aftekenen``) and the open-item counts on supervisors' pages
    are built from these. Decide who may review what with ``lms.access``; keep it to one query
    per call, whatever the number of learners.

    :param reviewer: the mentor or schoolopleider whose decision they wait for; None for items
        waiting for anyone (the counts on a schoolopleider's school page; the caller has
        checked that the viewer may see these learners).
    :param learner_ids: only items of these learners, or None for all the reviewer may decide.
    :returns: a ``SignOffItem``, a list of them, or None.
    """


@hookspec
def lms_sign_off_count(reviewer: User) -> Any:
    """Return a SQL expression counting the items ``lms_sign_off_items`` gives ``reviewer``
    (a scalar subquery, e.g. ``select(func.count()).where(...).scalar_subquery()``), without
    running it: the core adds every plugin's count up in ONE query for the number beside
    "Aftekenen" in the navigation, shown on every page to people who may open the queue.

    A plugin that gives sign-off items and no count still counts: the core then builds the
    whole list (several queries) to count it, so pages are slower for reviewers.

    :param reviewer: the mentor or schoolopleider whose decision the items wait for.
    :returns: a scalar SQL expression (an integer), or None for nothing to count.
    """


@hookspec
def lms_learner_columns(viewer: User, learner_ids: list[int],
                        scope: str) -> LearnerColumn | list[LearnerColumn] | None:
    """Return extra columns for a supervisor's table of learners (``lms.activities.
    LearnerColumn``), e.g. how many reflections each learner shared with this mentor. Counts
    and statuses only: never content. One query per call, whatever the number of learners.

    :param viewer: the mentor or schoolopleider looking.
    :param learner_ids: the learners on the page.
    :param scope: ``mentor`` (``/begeleiding``) or ``schoolopleider`` (the school page).
    :returns: a ``LearnerColumn``, a list of them, or None.
    """


# --- logging in and the account page -----------------------------------------------------


@hookspec
def lms_login_options(invitation: str | None) -> Markup | list[Markup] | None:
    """Return other ways to log in, shown under the password form on the login page and on the
    invitation page (e.g. a "Log in with your school account" button per provider).

    The current request's ``next`` argument is the page to return to afterwards (check it with
    ``lms.web.safety.safe_next``).

    :param invitation: the invitation token when shown on the invitation page (a plugin may use
        it to link the invited account, checking it with
        ``lms.accounts.invitations.invited_user``), None on the login page.
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


@hookspec(firstresult=True)
def lms_password_login_refused(user: User) -> str | None:
    """May this person log in with their password? (firstresult: the first message wins.)

    Asked after the password was found correct (so the answer tells nothing to someone who
    does not know it), and on the invitation page before a password is chosen. A message
    refuses: the login page shows it and logs nobody in; the invitation page shows it instead
    of the password form. Point the person at the way they should log in.

    :param user: the active person whose password was checked (or who was invited).
    :returns: a message (translated) that refuses password login, or None (no objection).
    """


@hookspec
def lms_account_sections(user: User) -> Markup | list[Markup] | None:
    """Return sections for the person's own account page ("Mijn account"), e.g. linked
    accounts at other services.

    :param user: the person looking at their own account.
    :returns: ``markupsafe.Markup`` (or a list of it), or None.
    """


@hookspec(firstresult=True)
def lms_logout_redirect(user: User) -> str | None:
    """Where the browser goes after logging out (firstresult; default: the login page).

    Asked before the session ends, so the plugin can still read what it kept in the session
    (e.g. which provider the person logged in with, to offer its logout page). Only a path on
    this site is followed; anything else is ignored.

    :param user: the person logging out.
    :returns: a relative URL on this site, or None.
    """


# --- data and access --------------------------------------------------------------------


@hookspec
def lms_exporters() -> Exporter | list[Exporter] | None:
    """Return export formats (``lms.activities.Exporter``). CSV is built in.

    :returns: an ``Exporter``, a list of them, or None.
    """


@hookspec
def lms_personal_data(user: User) -> dict[str, list[dict[str, Any]]] | None:
    """Return this person's data held by the plugin, for their "download my data" export.

    :param user: the person exporting (or being exported by an admin).
    :returns: ``{"section name": [row dicts]}`` (JSON-serialisable values), or None.
    """


@hookspec
def lms_erase_personal_data(user: User) -> None:
    """Erase (or anonymise) everything the plugin holds about this person, in the caller's
    transaction (do not commit). Called when an account is erased.

    :param user: the person being erased.
    :returns: nothing.
    """


@hookspec(firstresult=True)
def lms_permission(user: User, action: str, resource: Any) -> bool | None:
    """Access rule (firstresult): the first True/False wins; None passes to the next rule.

    The core rules run ``trylast``. Privacy tiers (who may read reflections, submissions)
    are checked before this hook and cannot be widened by it.

    :param user: who asks (authenticated and active).
    :param action: a dotted action name, e.g. ``path.view`` or ``assignment.sign_off``.
    :param resource: the object (a ``User``, a row with ``user_id``, an ``Organisation``,
        a ``Course``...) or None.
    :returns: True (allow), False (deny) or None (no opinion).
    """


# --- demo data --------------------------------------------------------------------------


@hookspec
def lms_demo_region(region: DemoRegion) -> None:
    """Add the plugin's part of the demo region's year (``lms demo``, ``lms serve --demo``):
    called once, when the region's ~300 people are generated, after the core's rows are
    committed; write your own rows and commit them. Keep it deterministic (use
    ``work.seed`` for choices) and quick (bulk inserts). What a learner wrote is theirs:
    share it only where ``work.shared`` says.

    :param region: ``lms.demo_region.DemoRegion``: ``today``, ``now``, ``work`` (the
        lessons the generated learners reached: ``user_id``, ``lesson``, ``completed``,
        ``at``, ``reviewer_id``, ``shared``, ``seed``) and ``people`` (the generated user ids).
    :returns: nothing.
    """
