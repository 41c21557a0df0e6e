"""The bundled talent plugin: talent nominations, the ambassador list and stay conversations
for a region's retention policy ("binden en behouden"), built on the public hooks only.

- A mentor, schoolopleider or leidinggevende nominates someone of their school for a role
  (werkplekbegeleider, schoolopleider, ambassador, or a route to a higher NLQF level). The
  nominee accepts (their path then suggests the matching track), declines or hides it; the
  motivation is read by the two of them only.
- People who accepted may list themselves as ambassadors for recruitment activities;
  coordinators read and export that list.
- A leidinggevende plans stay conversations with teachers of their school; the teacher decides
  which outcomes become goals in their own POP, the manager's notes stay the manager's.
- Coordinators see counts per school: nominations per role, conversations per quarter.

Everything is personal data: exported and erased through ``lms_personal_data`` and
``lms_erase_personal_data``, audited when someone else looks, deleted after
``TALENT_RETENTION_DAYS`` by ``lms talent purge``. See docs/talent.md.
"""
from __future__ import annotations

from importlib import resources

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from lms import clock, hookimpl
from lms.activities import NavItem, Setting, render_fragment

from . import ambassadors, models, nominations, privacy, reports, rules, stay, views  # noqa: F401

__version__ = "1.0"


@hookimpl
def lms_settings():
    return [
        Setting("TALENT_TRACKS", "track suggested when a nomination is accepted, as role=track "
                "slug pairs (roles: werkplekbegeleider, schoolopleider, ambassadeur, opleiding)",
                default=["werkplekbegeleider=werkplekbegeleider",
                         "schoolopleider=schoolopleider-brlo"], type=list),
        Setting("TALENT_STAY_INTERVAL_MONTHS", "months between two stay conversations",
                default=12, type=int),
        Setting("TALENT_STAY_FIRST_FROM_MONTHS", "months after someone starts at a school when "
                "their first stay conversation is suggested", default=3, type=int),
        Setting("TALENT_STAY_FIRST_BY_MONTHS", "months after someone starts at a school by "
                "which their first stay conversation is due", default=6, type=int),
        Setting("TALENT_RETENTION_DAYS", "days talent data is kept after its last change "
                "(deleted by `lms talent purge`)", default=730, type=int),
    ]


@hookimpl
def lms_register_blueprints(app):
    return [views.bp]


@hookimpl
def lms_migration_locations():
    return [str(resources.files(__name__) / "migrations" / "versions")]


@hookimpl
def lms_register_commands(cli):
    cli.add_command(talent_cli)


@click.group("talent", help="Talent nominations, ambassadors and stay conversations.")
def talent_cli():
    pass


@talent_cli.command("purge")
@with_appcontext
def purge_command():
    """Delete talent data older than TALENT_RETENTION_DAYS (run daily)."""
    from flask import current_app

    days = int(current_app.config["TALENT_RETENTION_DAYS"])
    counts = privacy.purge(days)
    click.echo(f"deleted {counts['nominations']} nominations, {counts['conversations']} stay "
               f"conversations and {counts['ambassadors']} ambassador listings older than "
               f"{days} days")


@hookimpl
def lms_permission(user, action, resource):
    return rules.talent_permission(user, action, resource)


@hookimpl
def lms_nav_items(user):
    if getattr(user, "is_authenticated", False):
        return [NavItem("talent.index", _l("Talent"), 35)]
    return None


@hookimpl
def lms_dashboard_widgets(user, scope, organisation):
    if not getattr(user, "is_authenticated", False):
        return None
    if scope == "home" and rules.managed_org_ids(user):  # no query for anyone else
        today = clock.today()
        return render_fragment("talent/_home_widget.html", due=stay.due_for(user, today),
                               upcoming=stay.upcoming_for(user.id, today), today=today)
    if scope == "coordinator" and organisation is not None:
        from lms.access import can

        if not can(user, "talent.report", organisation):
            return None
        org_ids = reports.subtree_ids(organisation.id)
        quarters, held = reports.conversations_per_quarter(org_ids)
        return render_fragment("talent/_coordinator_widget.html", org=organisation,
                               schools=reports.nomination_counts(org_ids), quarters=quarters,
                               held=held, role_labels=views.ROLE_LABELS)
    return None


@hookimpl
def lms_path_sections(user, path, viewer):
    """The person's own open and accepted nominations with the suggested tracks, and their
    planned stay conversations; shown to the person only (one query, two with a suggestion)."""
    if viewer is None or viewer.id != user.id:
        return None
    return views.path_section(user, path)


@hookimpl
def lms_learner_sections(viewer, learner, scope):
    from lms.access import can

    if can(viewer, "talent.nominate", learner):
        return render_fragment("talent/_learner_section.html", learner=learner)
    return None


@hookimpl
def lms_personal_data(user):
    return privacy.personal_data(user) or None


@hookimpl
def lms_erase_personal_data(user):
    privacy.erase(user)


@hookimpl
def lms_demo_region(region):
    """Talent nominations and stay conversations in the demo's schools."""
    from . import demo

    demo.add_talent(region)
