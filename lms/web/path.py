"""Mijn leerpad: a teacher's learning path, their own hours, goals (POP), NLQF levels and API
tokens, the path's exports (print-ready HTML and JSON), and the hours rule a schoolopleider
chooses for a learner."""
from __future__ import annotations

import re
from types import SimpleNamespace

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (DataRequired, Length, NumberRange, Optional, StopValidation,
                                ValidationError)

from lms.access import can, require
from lms.accounts import AccountError
from lms.accounts.people import update_person
from lms.clock import today
from lms.hours_rules import HoursRulesError, choose_rule, current_rules
from lms.extensions import db
from lms.models import User
from lms.models.portfolio import GOAL_STATUSES, HOURS_CATEGORIES, ApiToken, DevelopmentGoal, HoursEntry
from lms.tracking.records import announce_records, hours_logged
from lms.models.base import utcnow
from lms.plugins import collect, get_pm
from lms.readmodels.path import PathSettings, learning_path
from lms.web.inputs import GOAL_HORIZON_YEARS, DateWithin, FiniteFloatField, years_ahead
from lms.web.once import OnceForm, first_post
from lms.web.viewlog import render_audited

bp = Blueprint("path", __name__, url_prefix="/leerpad")

CATEGORY_LABELS = {
    "cursus": _l("Course or training"),
    "intervisie": _l("Peer consultation (intervisie)"),
    "studiedag": _l("Study day"),
    "lezen": _l("Reading"),
    "overig": _l("Other"),
}
STATUS_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "achieved": _l("Achieved"),
    "dropped": _l("Dropped"),
}
COMPETENCE_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*:[a-z0-9]+(-[a-z0-9]+)*$")


def _quarter_hours(form, field) -> None:
    if field.data is not None and abs(field.data * 4 - round(field.data * 4)) > 1e-9:
        raise ValidationError(_("Enter hours in quarters of an hour (for example 1.25)."))


def _not_in_future(form, field) -> None:
    if field.data and field.data > today():
        raise StopValidation(_("Hours can only be logged for days that have passed."))


class HoursField(FiniteFloatField):
    """Hours as the reader writes them: 1,5 or 1.5 (one decimal comma is a point), shown in
    the reader's language when the form is filled in again."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].count(",") == 1 and "." not in valuelist[0]:
            valuelist = [valuelist[0].replace(",", ".")]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            from babel.numbers import format_decimal

            raise ValueError(_("Enter the hours as a number, for example %(example)s.",
                               example=format_decimal(1.5, locale=_locale()))) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        from babel.numbers import format_decimal

        # No thousands separator: "1.000" would read back as one hour.
        return format_decimal(self.data, format="0.##", locale=_locale())


class HoursForm(OnceForm):
    # From 1990 (no one logs professionalisation hours for earlier years) up to today.
    day = DateField(_l("Date"), validators=[DataRequired(), _not_in_future, DateWithin()])
    # Finite numbers only: "inf", "nan" and 1e308 are form errors, never arithmetic on them.
    hours = HoursField(_l("Hours"), validators=[DataRequired(), NumberRange(min=0.25, max=1000),
                                                _quarter_hours])
    category = SelectField(_l("Category"), choices=[SelectChoice(c, CATEGORY_LABELS[c]) for c in HOURS_CATEGORIES])
    description = StringField(_l("What did you do?"), validators=[DataRequired(), Length(max=500)])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000)])


def _competence_keys(form, field) -> None:
    bad = [key for key in _split_keys(field.data) if not COMPETENCE_KEY.match(key)]
    if bad:
        raise ValidationError(_("Use framework:code, for example velon:agogisch (not %(bad)s).",
                                bad=", ".join(bad)))


def _split_keys(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").replace(";", ",").split(",") if part.strip()]


class GoalForm(OnceForm):
    title = StringField(_l("Goal"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    status = SelectField(_l("Status"), choices=[SelectChoice(s, STATUS_LABELS[s]) for s in GOAL_STATUSES])
    target_date = DateField(_l("Target date"), validators=[
        Optional(), DateWithin(latest=years_ahead(GOAL_HORIZON_YEARS))])
    competences = StringField(_l("Competences"), validators=[Optional(), Length(max=500),
                                                             _competence_keys])


class TokenForm(OnceForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """Just the CSRF token, for delete and revoke buttons."""


def _optional_level(value):
    return int(value) if value not in (None, "", "None") else None


class NlqfForm(FlaskForm):
    level = SelectField(_l("Level of your highest diploma"), coerce=_optional_level)
    target = SelectField(_l("Level you are working towards"), coerce=_optional_level)


class HoursRuleForm(FlaskForm):
    rule = SelectField(_l("Hours rule"))


AUTOMATIC = "auto"


def _path_for(learner: User):
    settings = PathSettings.from_config(current_app.config)
    return learning_path(learner, settings=settings)


def _with_roles(user_id: int) -> User:
    """The person with their roles and schools in one query (their hours rule needs them)."""
    found = db.session.execute(select(User).options(joinedload(User.roles))
                               .where(User.id == user_id)).unique().scalar_one_or_none()
    return found or abort(404)


def _rule_form(learner: User, path) -> HoursRuleForm | None:
    """The schoolopleider's choice of the learner's hours rule (None for anyone else)."""
    if not can(current_user, "hours_rule.choose", learner):
        return None
    rules = current_rules()
    locale = _locale()
    form = HoursRuleForm()
    form.rule.choices = [SelectChoice(AUTOMATIC, _("By role and sector"))] + [
        SelectChoice(rule.id, rule.title_in(locale)) for rule in rules.rules]
    rule = path.hours.rule
    form.rule.data = rule.id if rule and rule.chosen else AUTOMATIC
    return form


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl")


def _sections(learner: User, path) -> list:
    return collect(get_pm().hook.lms_path_sections(user=learner, path=path,
                                                   viewer=current_user))


def _labels() -> dict:
    return {"category_labels": CATEGORY_LABELS, "status_labels": STATUS_LABELS}


@bp.get("")
@login_required
def mine():
    path = _path_for(current_user)
    return render_template("path/page.html", path=path, learner=current_user, own=True,
                           sections=_sections(current_user, path), form=EmptyForm(),
                           rule_form=None, **_labels())


@bp.get("/<id:user_id>")
@login_required
def learner_path(user_id: int):
    if user_id == current_user.id:
        return redirect(url_for("path.mine"))
    learner = _with_roles(user_id)
    # Whoever may see the goals may see the path (mentors, schoolopleiders); coordinators
    # see status, not the teacher's own plan. Asking in this order saves a check.
    show_goals = can(current_user, "goals.view", learner)
    if not show_goals:
        require(current_user, "path.view", learner)
    path = _path_for(learner)
    if not show_goals:
        path.goals = []
    return render_audited("path/page.html", [learner.id], "path", path=path, learner=learner,
                          own=False, sections=_sections(learner, path), form=None,
                          rule_form=_rule_form(learner, path), **_labels())


@bp.post("/<id:user_id>/urenregel")
@login_required
def hours_rule(user_id: int):
    """A schoolopleider chooses the learner's hours rule, or goes back to the automatic one."""
    learner = _with_roles(user_id)
    require(current_user, "hours_rule.choose", learner)
    form = HoursRuleForm()
    form.rule.choices = [SelectChoice(AUTOMATIC, AUTOMATIC)] + [
        SelectChoice(rule.id, rule.id) for rule in current_rules().rules]
    if form.validate_on_submit():
        try:
            choose_rule(learner, None if form.rule.data == AUTOMATIC else form.rule.data,
                        by=current_user)
        except HoursRulesError:
            abort(400)
        flash(_("Hours rule saved."), "success")
    else:
        flash(_("Choose one of the hours rules."), "error")
    return redirect(url_for("path.learner_path", user_id=learner.id) + "#hours")


@bp.route("/niveau", methods=["GET", "POST"])
@login_required
def nlqf_edit():
    """A teacher sets the NLQF level of their highest diploma and the level they aim for."""
    path = _path_for(current_user)
    choices = [SelectChoice("", _("not set"))] + [
        SelectChoice(str(level.level), level.title) for level in path.nlqf_levels]
    form = NlqfForm(data=None if request.method == "POST" else {
        "level": current_user.nlqf_level, "target": current_user.nlqf_target})
    form.level.choices = form.target.choices = choices
    if form.validate_on_submit():
        level, target = form.level.data, form.target.data
        if level and target and target < level:
            form.target.errors = [_("Choose a target at or above your current level.")]
        else:
            try:
                update_person(current_user, name=current_user.name, email=current_user.email,
                              nlqf_level=level, nlqf_target=target, actor=current_user)
            except AccountError as exc:
                form.level.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("NLQF levels saved."), "success")
                return redirect(url_for("path.mine") + "#nlqf")
    return render_template("path/nlqf_form.html", form=form, levels=path.nlqf_levels)


@bp.get("/export.html")
@login_required
def export_html():
    path = _path_for(current_user)
    return render_template("path/export.html", path=path, learner=current_user,
                           sections=_sections(current_user, path), **_labels())


@bp.get("/export.json")
@login_required
def export_json():
    response = jsonify(_path_for(current_user).to_dict())
    response.headers["Content-Disposition"] = 'attachment; filename="leerpad.json"'
    return response


# --- hours ----------------------------------------------------------------------------------


def _own(model, item_id: int):
    """One of the current user's own rows, or 404 (someone else's rows do not exist for you)."""
    item = db.session.get(model, item_id)
    if item is None or item.user_id != current_user.id:
        abort(404)
    return item


@bp.route("/uren/nieuw", methods=["GET", "POST"])
@login_required
def hours_new():
    form = HoursForm()
    if form.validate_on_submit():
        if first_post(form, current_user.id, "hours.new"):  # a repeat creates nothing
            entry = HoursEntry(user_id=current_user.id)
            _fill_hours(entry, form)
            db.session.add(entry)
            db.session.flush()
            hours_logged(entry)
            db.session.commit()
            announce_records()
        flash(_("Hours saved."), "info")
        return redirect(url_for("path.mine") + "#hours")
    return render_template("path/hours_form.html", form=form, entry=None)


@bp.route("/uren/<id:entry_id>", methods=["GET", "POST"])
@login_required
def hours_edit(entry_id: int):
    entry = _own(HoursEntry, entry_id)
    form = HoursForm(obj=None if request.method == "POST" else _hours_data(entry))
    if form.validate_on_submit():
        _fill_hours(entry, form)
        db.session.commit()
        flash(_("Hours saved."), "info")
        return redirect(url_for("path.mine") + "#hours")
    return render_template("path/hours_form.html", form=form, entry=entry, delete_form=EmptyForm())


@bp.post("/uren/<id:entry_id>/verwijderen")
@login_required
def hours_delete(entry_id: int):
    entry = _own(HoursEntry, entry_id)
    if EmptyForm().validate_on_submit():
        db.session.delete(entry)
        db.session.commit()
        flash(_("Hours deleted."), "info")
    return redirect(url_for("path.mine") + "#hours")


def _hours_data(entry: HoursEntry) -> SimpleNamespace:
    return SimpleNamespace(day=entry.date, hours=entry.hours, category=entry.category,
                 description=entry.description, evidence=entry.evidence)


def _fill_hours(entry: HoursEntry, form: HoursForm) -> None:
    entry.date = form.day.data
    entry.hours = round(form.hours.data * 4) / 4
    entry.category = form.category.data
    entry.description = form.description.data.strip()
    entry.evidence = (form.evidence.data or "").strip()


# --- goals (POP) ------------------------------------------------------------------------------


@bp.route("/doelen/nieuw", methods=["GET", "POST"])
@login_required
def goal_new():
    form = GoalForm()
    if form.validate_on_submit():
        if first_post(form, current_user.id, "goal.new"):  # a repeat creates nothing
            goal = DevelopmentGoal(user_id=current_user.id)
            _fill_goal(goal, form)
            db.session.add(goal)
            db.session.commit()
        flash(_("Goal saved."), "info")
        return redirect(url_for("path.mine") + "#goals")
    return render_template("path/goal_form.html", form=form, goal=None)


@bp.route("/doelen/<id:goal_id>", methods=["GET", "POST"])
@login_required
def goal_edit(goal_id: int):
    goal = _own(DevelopmentGoal, goal_id)
    data = None if request.method == "POST" else SimpleNamespace(
        title=goal.title, description=goal.description, status=goal.status,
        target_date=goal.target_date, competences=", ".join(goal.competences or []))
    form = GoalForm(obj=data)
    if form.validate_on_submit():
        _fill_goal(goal, form)
        db.session.commit()
        flash(_("Goal saved."), "info")
        return redirect(url_for("path.mine") + "#goals")
    return render_template("path/goal_form.html", form=form, goal=goal)


def _fill_goal(goal: DevelopmentGoal, form: GoalForm) -> None:
    goal.title = form.title.data.strip()
    goal.description = (form.description.data or "").strip()
    goal.status = form.status.data
    goal.target_date = form.target_date.data
    goal.competences = _split_keys(form.competences.data)


# --- personal API tokens -----------------------------------------------------------------------


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        if first_post(form, current_user.id, "token.new"):
            token, secret = ApiToken.issue(current_user.id, form.name.data.strip())
            db.session.add(token)
            db.session.commit()
        else:  # the same form again: its token exists, and its secret was shown once
            flash(_("This token was created already and its secret was shown only once. "
                    "If you did not copy it, revoke the token and create a new one."), "info")
        form = TokenForm(formdata=None)
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()
    return render_template("path/tokens.html", form=form, tokens=rows, secret=secret,
                           revoke_form=EmptyForm())


@bp.post("/tokens/<id:token_id>/intrekken")
@login_required
def token_revoke(token_id: int):
    token = _own(ApiToken, token_id)
    if EmptyForm().validate_on_submit() and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
        flash(_("Token revoked: it no longer works."), "info")
    return redirect(url_for("path.tokens"))
