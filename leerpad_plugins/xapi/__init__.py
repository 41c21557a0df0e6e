"""The bundled xAPI plugin: every learning event as an xAPI 1.0.3 statement, delivered to one
or more learning record stores by background jobs. Built only on public hooks and models.

Lesson progress arrives through ``lms_progress_recorded``, other learning facts through
``lms_learning_record``; both listeners only queue the delivery job, which reads the event
log after its per-LRS cursor (so nothing is lost when the LRS or a worker is down). With no
LRS configured the plugin does nothing. See docs/xapi.md.
"""
from __future__ import annotations

from importlib import resources

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.access import can
from lms.activities import NavItem, Setting

from . import commands, delivery, models, views  # noqa: F401  (models: tables; delivery: jobs)

__version__ = "1.0"


@hookimpl
def lms_settings():
    return [
        Setting("XAPI_LRS_URL", "the LRS's xAPI endpoint, e.g. https://lrs.example.nl/xAPI/ "
                "(empty: nothing is sent)", ""),
        Setting("XAPI_LRS_USERNAME", "Basic-auth user (key) at that LRS", ""),
        Setting("XAPI_LRS_PASSWORD", "Basic-auth password (secret) at that LRS", "",
                secret=True),
        Setting("XAPI_LRSS", 'more LRSs, a JSON list: [{"name": "regio", "url": "...", '
                '"username": "...", "password": "..."}]', [], type=list, secret=True),
        Setting("XAPI_ACTOR_MBOX", "identify learners by e-mail address (mbox) instead of a "
                "pseudonymous account", False, type=bool),
        Setting("XAPI_PLATFORM", "context.platform of every statement", "Leerpad"),
        Setting("XAPI_BATCH_SIZE", "statements per POST", 100, type=int),
    ]


@hookimpl
def lms_startup(app):
    from lms.plugins import PluginError  # one line at the command line, not a traceback

    try:
        lrss = delivery.configured_lrss(app.config)
    except (ValueError, KeyError, TypeError) as exc:
        raise PluginError(f"xapi: XAPI_LRSS is not a list of LRSs with a url ({exc})") from None
    if lrss and not app.config.get("BASE_URL"):
        raise PluginError("xapi: set BASE_URL (the platform's public address): statement "
                           "activity ids and actors are built on it")


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_progress_recorded(event):
    delivery.nudge()


@hookimpl
def lms_learning_record(record):
    delivery.nudge()


@hookimpl
def lms_erase_personal_data(user):
    delivery.note_erasure(user.id)


@hookimpl
def lms_register_commands(cli):
    cli.add_command(commands.xapi_group)


@hookimpl
def lms_register_blueprints(app):
    return [views.bp]



@hookimpl
def lms_admin_links(user):
    if can(user, "xapi.manage"):
        return NavItem("xapi.index", _l("Learning records (xAPI)"), 60)
    return None
