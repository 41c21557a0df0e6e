"""The talent plugin's pages.

GET pages carry no object ids in their paths: each shows the signed-in person's own
nominations and conversations (one conversation is opened with ``?gesprek=<id>``), so there
is nothing to guess. Actions are POSTs with the object's id in the form, checked by
``lms.access`` against the plugin's own rules. Pages that show someone else's data audit it.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import Date, String, cast, literal_column, null, select

from lms import clock
from lms.access import can, org_role_ids, record_views, require
from lms.activities import render_fragment
from lms.extensions import db
from lms.models import Organisation, User

from . import ambassadors, guide, nominations, reports, stay
from .models import (AMBASSADOR_ACTIVITIES, NOMINATION_ROLES, Nomination, StayConversation,
                     StayOutcome)

bp = Blueprint("talent", __name__, url_prefix="/plugins/talent")

ROLE_LABELS = {
    "werkplekbegeleider": _l("Workplace mentor (werkplekbegeleider)"),
    "schoolopleider": _l("School-based teacher educator (schoolopleider)"),
    "ambassadeur": _l("Ambassador for the teaching profession"),
    "opleiding": _l("Route to a higher NLQF level (e.g. Ad or pabo)"),
}
STATUS_LABELS = {
    "open": _l("Awaiting your answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "planned": _l("Planned"),
    "held": _l("Held"),
    "cancelled": _l("Cancelled"),
}
MESSAGES = {
    "role": lambda: _("Choose a role from the list."),
    "motivation": lambda: _("Write a short motivation."),
    "too long": lambda: _("The text is too long."),
    "nlqf": lambda: _("Choose the NLQF level the route leads to."),
    "not your school": lambda: _("You can only nominate people of your own school."),
    "duplicate": lambda: _("You already nominated this person for this role; they have not "
                           "answered yet."),
    "no activity": lambda: _("Choose at least one activity."),
    "not accepted": lambda: _("Only people who accepted a nomination can be listed."),
    "date": lambda: _("Enter a date."),
    "date range": lambda: _("Choose a date within the next two years."),
    "held date": lambda: _("The conversation can only have been held on a day in the past year."),
    "already held": lambda: _("A conversation that was held cannot be cancelled."),
    "empty": lambda: _("Write the outcome first."),
    "is a goal": lambda: _("This outcome is already a goal in the teacher's development plan."),
    "note too long": lambda: _("Your notes are too long (at most %(n)s characters).",
                               n=stay.MAX_NOTE),
}
MAX_ID = 2_147_483_647
_ID = re.compile(r"[0-9]{1,10}")


def _id(raw: Any) -> int | None:
    """A database id from a form or query string, or None."""
    text = str(raw or "").strip()
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def _day(raw: Any) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip()[:10])
    except ValueError:
        return None


def _get_or_404(model, raw_id: Any, action: str):
    """The row with this id if the current user may do ``action`` on it; 404 otherwise, so
    nobody learns that someone else's nomination or conversation exists."""
    object_id = _id(raw_id)
    found = db.session.get(model, object_id) if object_id else None
    if found is None or not can(current_user, action, found):
        abort(404)
    return found


def _flash_error(exc: Exception) -> None:
    db.session.rollback()
    flash(MESSAGES.get(str(exc), MESSAGES["too long"])(), "error")


# --- nominations ----------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    """The person's talent page: nominations about them, the ambassador list, and (for
    mentors, schoolopleiders and leidinggevenden) nominating and their own nominations."""
    received = nominations.about(current_user.id)
    show_hidden = request.args.get("verborgen") == "1"
    visible = [n for n in received if show_hidden or not n.hidden]
    may_nominate = can(current_user, "talent.nominate")
    made = nominations.made_by(current_user.id) if may_nominate else []
    accepted = any(n.status == "accepted" for n in received)
    suggested = nominations.suggested_tracks({n.role for n in received if n.status == "accepted"})
    html = render_template(
        "talent/index.html", received=visible, hidden_count=sum(n.hidden for n in received),
        show_hidden=show_hidden, suggested=suggested, may_nominate=may_nominate, made=made,
        candidates=nominations.candidates(current_user) if may_nominate else [],
        preselect=_id(request.args.get("voordragen")), accepted=accepted,
        listing=ambassadors.listing_of(current_user.id) if accepted else None,
        roles=NOMINATION_ROLES, role_labels=ROLE_LABELS, status_labels=STATUS_LABELS,
        activities=AMBASSADOR_ACTIVITIES, activity_labels=ambassadors.ACTIVITY_LABELS,
        nlqf_targets=nominations.NLQF_TARGETS, max_motivation=nominations.MAX_MOTIVATION)
    if made:  # the nominator sees how the people they nominated answered
        record_views(current_user, [n.nominee_id for n in made], "talent.nomination")
        db.session.commit()
    return html


@bp.post("/nominaties")
@login_required
def nominate():
    person = db.session.get(User, _id(request.form.get("person_id")) or 0)
    if person is None:
        flash(_("Choose the person you nominate."), "error")
        return redirect(url_for("talent.index") + "#voordragen")
    require(current_user, "talent.nominate", person)
    try:
        nominations.nominate(current_user, person, request.form.get("role", ""),
                             request.form.get("motivation", ""),
                             _id(request.form.get("nlqf_target")))
    except nominations.TalentError as exc:
        _flash_error(exc)
        return redirect(url_for("talent.index", voordragen=person.id) + "#voordragen")
    flash(_("%(name)s has been nominated and can see your nomination on their talent page.",
            name=person.name), "success")
    return redirect(url_for("talent.index") + "#mijn-voordrachten")


@bp.post("/nominaties/besluit")
@login_required
def decide():
    """The nominee accepts, declines, hides or shows a nomination about them."""
    nomination = _get_or_404(Nomination, request.form.get("nomination_id"),
                             "talent.nomination.decide")
    decision = request.form.get("decision")
    if decision in ("accept", "decline"):
        nominations.decide(nomination, accept=decision == "accept")
        if decision == "accept":
            flash(_("Accepted. Your learning path suggests how to get started."), "success")
        else:
            flash(_("Declined. Thank you for answering."), "success")
    elif decision in ("hide", "show"):
        nominations.set_hidden(nomination, decision == "hide")
        flash(_("Hidden from your overview.") if decision == "hide"
              else _("Shown in your overview again."), "success")
    else:
        abort(400)
    return redirect(url_for("talent.index"))


@bp.post("/nominaties/intrekken")
@login_required
def withdraw():
    nomination = _get_or_404(Nomination, request.form.get("nomination_id"),
                             "talent.nomination.withdraw")
    nominations.withdraw(nomination)
    flash(_("Your nomination has been withdrawn."), "success")
    return redirect(url_for("talent.index") + "#mijn-voordrachten")


# --- ambassadors ----------------------------------------------------------------------------


@bp.post("/ambassadeur")
@login_required
def ambassador():
    """Join, update or leave the ambassador list (one's own listing only)."""
    if request.form.get("action") == "leave":
        ambassadors.leave(current_user)
        flash(_("You are no longer on the ambassador list."), "success")
        return redirect(url_for("talent.index") + "#ambassadeur")
    try:
        ambassadors.join(current_user, request.form.getlist("activities"),
                         request.form.get("offer", ""))
    except ambassadors.AmbassadorError as exc:
        _flash_error(exc)
    else:
        flash(_("You are on the ambassador list. Coordinators of your region can ask you for "
                "the activities you chose."), "success")
    return redirect(url_for("talent.index") + "#ambassadeur")


def _coordinated_org(org_id: int) -> Organisation:
    org = db.get_or_404(Organisation, org_id)
    require(current_user, "talent.ambassadors", org)
    return org


@bp.get("/ambassadeurs")
@login_required
def ambassadors_index():
    require(current_user, "talent.ambassadors")
    if current_user.is_admin:
        stmt = select(Organisation).where(Organisation.parent_id.is_(None))
    else:
        stmt = select(Organisation).where(
            Organisation.id.in_(org_role_ids(current_user, "coordinator")))
    orgs = list(db.session.scalars(stmt.order_by(Organisation.name)))
    if len(orgs) == 1:
        return redirect(url_for("talent.ambassadors_list", org_id=orgs[0].id))
    return render_template("talent/ambassadors_index.html", orgs=orgs)


def _activity() -> str | None:
    wanted = request.args.get("activiteit")
    return wanted if wanted in AMBASSADOR_ACTIVITIES else None


@bp.get("/ambassadeurs/<id:org_id>")
@login_required
def ambassadors_list(org_id: int):
    """The ambassadors of an organisation's subtree, for a recruitment activity."""
    org = _coordinated_org(org_id)
    activity = _activity()
    found = ambassadors.listed_in(reports.subtree_ids(org.id), activity)
    html = render_template("talent/ambassadors.html", org=org, ambassadors=found,
                           activity=activity, activities=AMBASSADOR_ACTIVITIES,
                           activity_labels=ambassadors.ACTIVITY_LABELS)
    record_views(current_user, [a.user_id for a in found], "talent.ambassador")
    db.session.commit()
    return html


@bp.get("/ambassadeurs/<id:org_id>/export.csv")
@login_required
def ambassadors_export(org_id: int):
    org = _coordinated_org(org_id)
    activity = _activity()
    found = ambassadors.listed_in(reports.subtree_ids(org.id), activity)
    headers, rows = ambassadors.export_rows(found)
    body = _csv(headers, rows)
    record_views(current_user, [a.user_id for a in found], "talent.ambassador_export")
    db.session.commit()
    name = f"ambassadeurs-{org.id}{'-' + activity if activity else ''}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """The rows through the platform's CSV exporter (``lms_exporters``, name ``csv``)."""
    from lms.plugins import collect, get_pm

    for exporter in collect(get_pm().hook.lms_exporters()):
        if getattr(exporter, "name", None) == "csv":
            text = exporter.export(rows, headers=headers)
            return text if isinstance(text, bytes) else text.encode(exporter.encoding)
    abort(404)  # no CSV exporter installed


# --- stay conversations ---------------------------------------------------------------------


@bp.get("/stay-gesprekken")
@login_required
def conversations():
    """Stay conversations: the person's own, and for a leidinggevende the ones they hold, the
    planning form and who is due."""
    today = clock.today()
    may_plan = can(current_user, "talent.stay.plan")
    held = stay.as_manager(current_user.id) if may_plan else []
    html = render_template(
        "talent/conversations.html", mine=stay.as_teacher(current_user.id), held=held,
        may_plan=may_plan, teachers=stay.teachers_of(current_user) if may_plan else [],
        due=stay.due_for(current_user, today) if may_plan else [], today=today,
        preselect=_id(request.args.get("met")), status_labels=STATUS_LABELS)
    if held:
        record_views(current_user, [c.teacher_id for c in held], "talent.stay")
        db.session.commit()
    return html


@bp.get("/stay-gesprek")
@login_required
def conversation():
    """One conversation (``?gesprek=<id>``) for its teacher or its leidinggevende."""
    if _id(request.args.get("gesprek")) is None:
        return redirect(url_for("talent.conversations"))
    found = _get_or_404(StayConversation, request.args.get("gesprek"), "talent.stay.read")
    is_manager = found.manager_id == current_user.id
    html = render_template(
        "talent/conversation.html", conversation=found, is_manager=is_manager,
        is_teacher=found.teacher_id == current_user.id, agenda=guide.agenda_html(),
        note=stay.note_of(found, current_user) if is_manager else None,
        status_labels=STATUS_LABELS, today=clock.today(), max_note=stay.MAX_NOTE,
        max_outcome=stay.MAX_OUTCOME)
    if is_manager:
        record_views(current_user, [found.teacher_id], "talent.stay", found.id)
        db.session.commit()
    return html


def _back(conversation_id: int, anchor: str = "") -> Any:
    return redirect(url_for("talent.conversation", gesprek=conversation_id) + anchor)


@bp.post("/stay-gesprekken")
@login_required
def plan():
    teacher = db.session.get(User, _id(request.form.get("teacher_id")) or 0)
    if teacher is None:
        flash(_("Choose the teacher you will talk with."), "error")
        return redirect(url_for("talent.conversations") + "#plannen")
    require(current_user, "talent.stay.plan", teacher)
    try:
        found = stay.plan(current_user, teacher, _day(request.form.get("planned_for")),
                          clock.today())
    except stay.StayError as exc:
        _flash_error(exc)
        return redirect(url_for("talent.conversations", met=teacher.id) + "#plannen")
    flash(_("The stay conversation with %(name)s is planned. They can read the agenda in "
            "Leerpad.", name=teacher.name), "success")
    return _back(found.id)


@bp.post("/stay-gesprek/status")
@login_required
def update_status():
    found = _get_or_404(StayConversation, request.form.get("conversation_id"),
                        "talent.stay.manage")
    try:
        if request.form.get("action") == "held":
            stay.mark_held(found, _day(request.form.get("held_on")), clock.today())
            flash(_("Recorded as held. Add the outcomes you agreed on; the teacher decides "
                    "which become goals."), "success")
        elif request.form.get("action") == "cancel":
            stay.cancel(found)
            flash(_("The conversation has been cancelled."), "success")
        else:
            abort(400)
    except stay.StayError as exc:
        _flash_error(exc)
    return _back(found.id)


@bp.post("/stay-gesprek/uitkomsten")
@login_required
def add_outcome():
    found = _get_or_404(StayConversation, request.form.get("conversation_id"),
                        "talent.stay.outcome")
    by = "teacher" if found.teacher_id == current_user.id else "manager"
    try:
        stay.add_outcome(found, request.form.get("text", ""), by)
    except stay.StayError as exc:
        _flash_error(exc)
    return _back(found.id, "#uitkomsten")


def _outcome(action: str) -> StayOutcome:
    outcome = db.session.get(StayOutcome, _id(request.form.get("outcome_id")) or 0)
    if outcome is None or not can(current_user, action, outcome.conversation):
        abort(404)
    return outcome


@bp.post("/stay-gesprek/uitkomsten/verwijderen")
@login_required
def remove_outcome():
    outcome = _outcome("talent.stay.outcome")
    side = "teacher" if outcome.conversation.teacher_id == current_user.id else "manager"
    if outcome.added_by != side:
        abort(403)  # each side removes only what it wrote
    conversation_id = outcome.conversation_id
    try:
        stay.remove_outcome(outcome)
    except stay.StayError as exc:
        _flash_error(exc)
    return _back(conversation_id, "#uitkomsten")


@bp.post("/stay-gesprek/doel")
@login_required
def make_goal():
    """The teacher turns an outcome into a goal of their own POP."""
    outcome = _outcome("talent.stay.goal")
    stay.make_goal(outcome, current_user)
    flash(_("Added to your development plan (POP). Only you decide what is in it."), "success")
    return _back(outcome.conversation_id, "#uitkomsten")


@bp.post("/stay-gesprek/notities")
@login_required
def save_note():
    found = _get_or_404(StayConversation, request.form.get("conversation_id"),
                        "talent.stay.notes")
    try:
        stay.save_note(found, current_user, request.form.get("text", ""))
    except stay.StayError as exc:
        _flash_error(exc)
    else:
        flash(_("Your notes are saved. Only you can read them."), "success")
    return _back(found.id, "#notities")


# --- the conversation guide -----------------------------------------------------------------


@bp.get("/gespreksleidraad")
@login_required
def guide_page():
    return render_template("talent/guide.html", body=guide.guide_html())


@bp.get("/gespreksleidraad.md")
@login_required
def guide_download():
    name, text = guide.guide_file()
    return Response(text, mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- the path section -----------------------------------------------------------------------


def path_section(user: User, path: Any) -> Markup | None:
    """Open and accepted nominations (with the suggested track unless already followed) and
    planned stay conversations. One query, a second only for a suggested track."""
    nominated = (
        select(literal_column("'nomination'").label("kind"), Nomination.role.label("role"),
               Nomination.status.label("status"), cast(null(), Date).label("day"),
               Nomination.id.label("id"))
        .where(Nomination.nominee_id == user.id, Nomination.hidden.is_(False),
               Nomination.status.in_(("open", "accepted"))))
    planned_rows = (
        select(literal_column("'stay'"), cast(null(), String(24)), StayConversation.status,
               StayConversation.planned_for, StayConversation.id)
        .where(StayConversation.teacher_id == user.id, StayConversation.status == "planned"))
    rows = db.session.execute(nominated.union_all(planned_rows)).all()
    if not rows:
        return None
    open_count = sum(1 for row in rows if row.kind == "nomination" and row.status == "open")
    accepted = {row.role for row in rows if row.kind == "nomination" and row.status == "accepted"}
    planned = sorted((row.day, row.id) for row in rows if row.kind == "stay")
    following = {t.slug for t in getattr(path, "tracks", [])}
    suggested = {role: track for role, track in nominations.suggested_tracks(accepted).items()
                 if track.slug not in following}
    return render_fragment("talent/_path_section.html", open_count=open_count,
                           accepted=sorted(accepted), suggested=suggested, planned=planned,
                           role_labels=ROLE_LABELS)
