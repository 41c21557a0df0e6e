"""Mentoring (werkplekbegeleiding): a mentor's learners, their sign-off queue and the learner's
side of competence confirmation."""
from __future__ import annotations


from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.access import require
from lms.clock import today
from lms.extensions import db
from lms.mentoring import (MentoringError, competence_choices, decide_confirmation, mentors_of,
                           request_confirmation)
from lms.models import User
from lms.models.confirmations import CompetenceConfirmation
from lms.homes import waiting_items
from lms.plugins import learner_columns
from lms.reports import people
from lms.web.inputs import to_id
from lms.web.viewlog import render_audited

bp = Blueprint("mentor", __name__, url_prefix="/begeleiding")
CONFIRMATION_LABELS = {"requested": _l("Waiting for the mentor"), "approved": _l("Approved"),
                       "returned": _l("Returned with feedback")}


class DecisionForm(FlaskForm):
    feedback = TextAreaField(_l("Feedback for the learner"),
                             validators=[Optional(), Length(max=5000)])


class RequestForm(FlaskForm):
    mentor = SelectField(_l("Mentor"), coerce=to_id, validators=[DataRequired()])
    competence = SelectField(_l("Competence"), validators=[DataRequired()])
    note = TextAreaField(_l("What shows that you master it?"),
                         validators=[DataRequired(), Length(max=5000)])


@bp.get("")
@login_required
def index():
    require(current_user, "mentor.dashboard")
    lines = people.learner_lines(people.mentees(current_user.id), today(),
                                 limit=500, reviewer=current_user)
    columns = learner_columns(current_user, [line.id for line in lines], "mentor")
    return render_audited("mentor/index.html", [line.id for line in lines], "mentor.overview",
                          lines=lines, columns=columns, today=today())


@bp.get("/aftekenen")
@login_required
def queue():
    """The one sign-off queue: everything waiting for this reviewer, oldest first, from every
    plugin (assignments, competences, …), filtered by learner and kind."""
    require(current_user, "mentor.dashboard")
    items = waiting_items(current_user)  # kept for the request: the navigation's count too
    learners = sorted({(item.learner_id, item.learner_name) for item in items},
                      key=lambda pair: pair[1])
    kinds = sorted({(item.kind, str(item.kind_label)) for item in items}, key=lambda k: k[1])
    learner = request.args.get("deelnemer", type=to_id)
    kind = request.args.get("soort", "")
    shown = [item for item in items if (learner is None or item.learner_id == learner)
             and (not kind or item.kind == kind)]
    return render_audited("mentor/queue.html", [item.learner_id for item in shown],
                          "mentor.queue", items=shown, learners=learners, kinds=kinds,
                          chosen_learner=learner, chosen_kind=kind, total=len(items))


def _learner(learner_id: int) -> User:
    learner = db.get_or_404(User, learner_id)
    require(current_user, "mentor.view_learner", learner)
    return learner


@bp.get("/deelnemer/<id:learner_id>")
@login_required
def learner(learner_id: int):
    person = _learner(learner_id)
    line = people.learner_lines(select(User.id).where(User.id == person.id), today(),
                                reviewer=current_user)[0]
    confirmations = list(db.session.scalars(
        select(CompetenceConfirmation)
        .where(CompetenceConfirmation.learner_id == person.id,
               CompetenceConfirmation.mentor_id == current_user.id)
        .order_by(CompetenceConfirmation.created_at.desc())))
    return render_audited("mentor/learner.html", [person.id], "mentor.learner", person=person,
                          line=line, confirmations=confirmations,
                          status_labels=CONFIRMATION_LABELS)


@bp.route("/bevestigingen/<id:item_id>", methods=["GET", "POST"])
@login_required
def confirmation(item_id: int):
    item = db.session.get(CompetenceConfirmation, item_id)
    if item is None or item.mentor_id != current_user.id:
        abort(404)
    require(current_user, "competence.sign_off", item.learner)
    form = DecisionForm()
    if form.validate_on_submit():
        from flask import request

        try:
            decide_confirmation(item, current_user, approve=request.form.get("decision") == "approve",
                                feedback=form.feedback.data or "")
        except MentoringError as exc:
            form.feedback.errors = [*form.feedback.errors, str(exc)]
        else:
            flash(_("Your decision has been sent to the learner."), "success")
            return redirect(url_for("mentor.queue"))
    return render_audited("mentor/confirmation.html", [item.learner_id], "competence_confirmation",
                          item.id, item=item, form=form, status_labels=CONFIRMATION_LABELS)


# --- the learner's side -------------------------------------------------------------------


@bp.route("/bevestiging-aanvragen", methods=["GET", "POST"])
@login_required
def request_form():
    form = RequestForm()
    mentors = mentors_of(current_user)
    form.mentor.choices = [(m.id, m.name) for m in mentors]
    form.competence.choices = competence_choices()
    if mentors and form.validate_on_submit():
        try:
            request_confirmation(current_user, form.mentor.data, form.competence.data,
                                 form.note.data)
        except MentoringError as exc:
            form.competence.errors = [*form.competence.errors, str(exc)]
        else:
            flash(_("Your mentor has been asked to confirm this competence."), "success")
            return redirect(url_for("mentor.mine"))
    return render_template("mentor/request.html", form=form, mentors=mentors)


@bp.get("/mijn-bevestigingen")
@login_required
def mine():
    items = list(db.session.scalars(
        select(CompetenceConfirmation).where(CompetenceConfirmation.learner_id == current_user.id)
        .order_by(CompetenceConfirmation.created_at.desc())))
    return render_template("mentor/mine.html", items=items, labels=dict(competence_choices()),
                           status_labels=CONFIRMATION_LABELS)
