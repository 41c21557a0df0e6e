"""Administration: organisations, people, roles, mentors and the bulk import.

Admins only, except inviting a person, which coordinators may do within their subtree.
Handlers parse the form, call ``lms.accounts`` and render; one request is one transaction.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from lms.access import require
from lms.accounts import AccountError
from lms.accounts import organisations as orgs
from lms.accounts import people
from lms.accounts.invitations import deliver_invitation
from lms.accounts.people_import import DUTCH_ROLE_NAMES, import_people
from lms.accounts.sessions import log_out_everywhere as log_out_everywhere_for
from lms.extensions import db
from lms.models import MentorAssignment, Organisation, RoleAssignment, User
from lms.models.accounts import NLQF_LEVELS
from lms.models.organisations import ORG_KINDS, SECTORS
from lms.plugins import collect, get_pm
from lms.web.auth import form_error

bp = Blueprint("admin", __name__, url_prefix="/beheer")
# Pages coordinators reach too; their own checks limit them to their subtree.
COORDINATOR_ENDPOINTS = {"admin.invite"}


def _change(action: Callable[[], object], form: FlaskForm | None = None) -> bool:
    """Run one account change and commit it; on an ``AccountError`` roll back and show why, on
    the form when there is one, else as a flash message."""
    try:
        action()
    except AccountError as exc:
        db.session.rollback()
        if form is None:
            flash(exc.message, "error")
        else:
            form_error(form, exc)
        return False
    db.session.commit()
    return True


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


def _kind_label(kind: str) -> str:
    return {"region": _("region"), "board": _("board"), "school": _("school")}.get(kind, kind)


class EmptyForm(FlaskForm):
    """Just the CSRF token (buttons that change one thing)."""


class PersonForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])


class InviteForm(PersonForm):
    organisation = SelectField(_l("Organisation"), coerce=_optional_int)
    role = SelectField(_l("Role"))


class EditPersonForm(PersonForm):
    nlqf_level = SelectField(_l("NLQF level (current education)"), coerce=_optional_int)
    nlqf_target = SelectField(_l("NLQF level aimed for"), coerce=_optional_int)


class RoleForm(FlaskForm):
    organisation = SelectField(_l("Organisation"), coerce=_optional_int)
    role = SelectField(_l("Role"))


class PairForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])


class OrganisationForm(FlaskForm):
    kind = SelectField(_l("Kind"))
    name = StringField(_l("Name"), validators=[DataRequired()])
    sector = SelectField(_l("Sector (schools only)"), validators=[Optional()])
    parent = SelectField(_l("Part of"), coerce=_optional_int)


class RenameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    sector = SelectField(_l("Sector (schools only)"), validators=[Optional()])


class MoveForm(FlaskForm):
    parent = SelectField(_l("Part of"), coerce=_optional_int)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice("" if value is None else value, label) for value, label in pairs]


def _org_choices(allowed: set[int] | None = None, blank: str | None = None):
    choices = [(None, blank)] if blank is not None else []
    return _choices(choices + [(oid, label) for oid, label in orgs.org_labels()
                               if allowed is None or oid in allowed])


def _role_choices(roles) -> list[SelectChoice]:
    return _choices((role, people.role_label(role)) for role in roles)


def _sector_choices():
    return _choices([("", _("none"))] + [(s, s) for s in SECTORS])


@bp.before_request
@login_required
def require_admin():
    if request.endpoint in COORDINATOR_ENDPOINTS:
        if not people.may_invite(current_user):
            abort(403)
        return None
    require(current_user, "admin.manage")
    return None


@bp.get("/")
def index():
    links = collect(get_pm().hook.lms_admin_links(user=current_user))
    return render_template("admin/index.html",
                           plugin_links=sorted(links, key=lambda link: link.order))


# --- organisations -------------------------------------------------------------------------


def _organisation_form(form=None):
    form = form or OrganisationForm()
    form.kind.choices = _choices((k, _kind_label(k)) for k in ORG_KINDS)
    form.sector.choices = _sector_choices()
    form.parent.choices = _org_choices(blank=_("nothing (a region)"))
    return form


@bp.route("/organisaties", methods=["GET", "POST"])
def organisations():
    form = _organisation_form()
    if form.validate_on_submit():
        parent = db.session.get(Organisation, form.parent.data) if form.parent.data else None
        try:
            org = orgs.create_organisation(form.kind.data, form.name.data, form.sector.data,
                                           parent, current_user)
        except AccountError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=org.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisations.html", form=form, tree=orgs.org_tree(),
                           kind_label=_kind_label)


@bp.route("/organisaties/<id:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = RenameForm(obj=org) if request.method == "GET" else RenameForm()
    form.sector.choices = _sector_choices()
    if form.validate_on_submit() and _change(
            lambda: orgs.rename_organisation(org, form.name.data, form.sector.data, current_user),
            form):
        flash(_("The organisation has been saved."), "success")
        return redirect(url_for("admin.organisation", org_id=org.id))
    return _organisation_page(org, form, _move_form(org))


def _move_form(org: Organisation, form=None):
    form = form or MoveForm(parent=org.parent_id)
    wanted = orgs.PARENT_KIND[org.kind]
    form.parent.choices = _choices((oid, label) for oid, label in orgs.org_labels()
                                   if wanted and db.session.get(Organisation, oid).kind == wanted)
    return form


def _organisation_page(org, form, move_form):
    members = list(db.session.scalars(
        select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.organisation_id == org.id).order_by(User.name, RoleAssignment.role)))
    return render_template("admin/organisation.html", org=org, form=form, move_form=move_form,
                           members=members, kind_label=_kind_label, role_label=people.role_label)


@bp.post("/organisaties/<id:org_id>/verplaatsen")
def move_organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    move_form = _move_form(org, MoveForm())
    if move_form.validate_on_submit():
        parent = db.session.get(Organisation, move_form.parent.data) if move_form.parent.data else None
        if _change(lambda: orgs.move_organisation(org, parent, current_user), move_form):
            flash(_("The organisation has been moved."), "success")
            return redirect(url_for("admin.organisation", org_id=org.id))
    rename = RenameForm(obj=org)
    rename.sector.choices = _sector_choices()
    return _organisation_page(org, rename, move_form)


# --- people --------------------------------------------------------------------------------


@bp.get("/mensen")
def people_list():
    """Everyone, by name, with their roles and organisations; search by name or e-mail
    address and narrow by role."""
    query = request.args.get("q", "")
    role = request.args.get("rol", "")
    role = role if role in people.ROLES else ""
    page = people.find_people(query, request.args.get("page", 1, type=int), role=role)
    return render_template("admin/people.html", query=query, result=page, role=role,
                           roles=people.ROLES, role_label=people.role_label)


@bp.route("/mensen/nieuw", methods=["GET", "POST"])
def invite():
    """Create an account and invite the person (admins anywhere, coordinators in their subtree)."""
    form = InviteForm()
    all_orgs = orgs.all_organisations()
    form.organisation.choices = _org_choices(people.invitable_org_ids(current_user, all_orgs))
    form.role.choices = _role_choices(people.invitable_roles(current_user))
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.organisation.data)
        try:
            person = people.create_person(form.name.data, form.email.data, org, form.role.data,
                                          current_user)
        except AccountError as exc:
            db.session.rollback()
            form_error(form, exc)
        else:
            db.session.commit()
            invitation = deliver_invitation(person, current_user)
            db.session.commit()
            return _invited_page([invitation])
    return render_template("admin/invite.html", form=form)


def _invited_page(invitations, title=None):
    response = render_template("admin/invited.html", invitations=invitations,
                               title=title or _("Invitation"))
    return response, 200, {"Cache-Control": "no-store"}


def _edit_form(person, form=None):
    form = form or EditPersonForm(obj=person)
    levels = [(None, _("not known"))] + [(n, str(n)) for n in NLQF_LEVELS]
    form.nlqf_level.choices = form.nlqf_target.choices = _choices(levels)
    return form


def _person_page(person, edit_form=None, role_form=None, mentor_form=None, learner_form=None):
    role_form = role_form or RoleForm()
    role_form.organisation.choices = _org_choices()
    role_form.role.choices = _role_choices(people.ROLES)
    mentors, learners = people.mentor_pairs(person)
    return render_template(
        "admin/person.html", person=person, form=_edit_form(person, edit_form),
        role_form=role_form, mentor_form=mentor_form or PairForm(prefix="mentor"),
        learner_form=learner_form or PairForm(prefix="learner"), mentors=mentors,
        learners=learners, button_form=EmptyForm(), role_label=people.role_label)


@bp.route("/mensen/<id:user_id>", methods=["GET", "POST"])
def person(user_id: int):
    person = db.get_or_404(User, user_id)
    form = _edit_form(person, EditPersonForm() if request.method == "POST" else None)
    if form.validate_on_submit() and _change(lambda: people.update_person(
            person, name=form.name.data, email=form.email.data, nlqf_level=form.nlqf_level.data,
            nlqf_target=form.nlqf_target.data, actor=current_user), form):
        flash(_("The changes have been saved."), "success")
        return redirect(url_for("admin.person", user_id=person.id))
    return _person_page(person, edit_form=form)


@bp.post("/mensen/<id:user_id>/actief")
def set_active(user_id: int):
    person = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit() and _change(
            lambda: people.set_active(person, request.form.get("active") == "1", current_user)):
        flash(_("The account is active again.") if person.active
              else _("The account has been deactivated."), "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/mensen/<id:user_id>/sessies")
def log_out_everywhere(user_id: int):
    """End every session of the person (a lost phone, a shared computer left logged in)."""
    person = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        log_out_everywhere_for(person, current_user)
        db.session.commit()
        flash(_("%(name)s has been logged out on every device.", name=person.name), "success")
    return redirect(url_for("admin.person", user_id=person.id))


@bp.post("/mensen/<id:user_id>/uitnodiging")
def reinvite(user_id: int):
    person = db.get_or_404(User, user_id)
    if not person.active:
        flash(_("Reactivate the account before inviting the person."), "error")
        return redirect(url_for("admin.person", user_id=person.id))
    invitation = deliver_invitation(person, current_user)
    db.session.commit()
    return _invited_page([invitation])


@bp.post("/mensen/<id:user_id>/rollen")
def add_role(user_id: int):
    person = db.get_or_404(User, user_id)
    form = RoleForm()
    form.organisation.choices = _org_choices()
    form.role.choices = _role_choices(people.ROLES)
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.organisation.data)
        if _change(lambda: people.add_role(person, org, form.role.data, current_user), form):
            flash(_("The role has been added."), "success")
            return redirect(url_for("admin.person", user_id=person.id))
    return _person_page(person, role_form=form)


@bp.post("/mensen/<id:user_id>/rollen/<id:role_id>/verwijderen")
def remove_role(user_id: int, role_id: int):
    assignment = db.get_or_404(RoleAssignment, role_id)
    if assignment.user_id != user_id:
        abort(404)
    if EmptyForm().validate_on_submit() and _change(
            lambda: people.remove_role(assignment, current_user)):
        flash(_("The role has been removed."), "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.post("/mensen/<id:user_id>/begeleiders")
def add_mentor(user_id: int):
    """Give this learner a mentor (``mentor-email``) or this mentor a learner (``learner-email``)."""
    person = db.get_or_404(User, user_id)
    as_learner = "mentor-email" in request.form
    form = PairForm(prefix="mentor" if as_learner else "learner")
    if form.validate_on_submit():
        other = people.user_by_email(form.email.data)
        mentor, learner = (other, person) if as_learner else (person, other)
        if _change(lambda: people.add_mentor(mentor, learner, current_user), form):
            flash(_("The mentor and learner have been linked."), "success")
            return redirect(url_for("admin.person", user_id=person.id))
    if as_learner:
        return _person_page(person, mentor_form=form)
    return _person_page(person, learner_form=form)


@bp.post("/mensen/<id:user_id>/begeleiders/<id:pair_id>/verwijderen")
def remove_mentor(user_id: int, pair_id: int):
    pair = db.get_or_404(MentorAssignment, pair_id)
    if user_id not in (pair.mentor_id, pair.learner_id):
        abort(404)
    if EmptyForm().validate_on_submit():
        people.remove_mentor(pair, current_user)
        db.session.commit()
        flash(_("The mentor and learner are no longer linked."), "success")
    return redirect(url_for("admin.person", user_id=user_id))


@bp.route("/mensen/importeren", methods=["GET", "POST"])
def import_file():
    """Bulk import from CSV: every problem is listed by line number, and nothing is imported
    while any row is bad."""
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        result = import_people(form.file.data.read(), current_user)
        if result.problems:
            db.session.rollback()
            problems = result.problems
        else:
            db.session.commit()
            invitations = [deliver_invitation(p, current_user) for p in result.people]
            db.session.commit()
            return _invited_page(invitations, _("%(n)d people imported", n=len(invitations)))
    return render_template("admin/import.html", form=form, problems=problems,
                           filename=getattr(form.file.data, "filename", None),
                           role_names=list(DUTCH_ROLE_NAMES.items()),
                           role_label=people.role_label)
