"""The schoolopleider's school: learners with filters, enrolment, mentors, exemptions and
mentor coverage."""
from __future__ import annotations


from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from lms import clock
from lms.access import dashboard_orgs, learner_org_ids, require
from lms.accounts.people import role_label
from lms.extensions import db
from lms.mentoring import MentoringError, assign_mentor, mentor_candidates, unassign_mentor
from lms.models import Organisation, Track, TrackCourse, User
from lms.models.accounts import ROLES, MentorAssignment
from lms.plugins import learner_columns
from lms.reports import people
from lms.reports.scope import subtree_ids
from lms.tracking.tracks import TrackError, enrol, grant_exemption
from lms.web.inputs import bounded_int, to_id
from lms.web.viewlog import render_audited

bp = Blueprint("schoolopleider", __name__, url_prefix="/schoolopleider")

STATUS_LABELS = {"not_started": _l("Not started"), "in_progress": _l("In progress"),
                 "completed": _l("Completed")}


class EmptyForm(FlaskForm):
    """Just the CSRF token."""


class ExemptionForm(FlaskForm):
    course = SelectField(_l("Course in the track"), validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


def _org(org_id: int, action: str = "schoolopleider.dashboard") -> Organisation:
    org = db.get_or_404(Organisation, org_id)
    require(current_user, action, org)
    return org


def _max_learners() -> int:
    return int(current_app.config.get("MENTOR_MAX_LEARNERS") or 8)


@bp.get("")
@login_required
def index():
    require(current_user, "schoolopleider.dashboard")
    schools = dashboard_orgs(current_user, "schoolopleider")
    if len(schools) == 1:
        return redirect(url_for("schoolopleider.school", org_id=schools[0].id))
    return render_template("schoolopleider/index.html", schools=schools)


def _filters() -> people.Filters:
    args = request.args
    role = args.get("rol", "learner")
    status = args.get("status", "")
    weeks = args.get("weken", type=bounded_int(0, 520))
    return people.Filters(
        track=args.get("leerroute", "")[:64],
        role=role if role in ROLES else "learner",
        status=status if status in people.TRACK_STATUSES else "",
        deadline_weeks=weeks,
        behind=args.get("achter") == "1",
        without_mentor=args.get("zonder_mentor") == "1",
    )


@bp.get("/<id:org_id>")
@login_required
def school(org_id: int):
    org = _org(org_id, "school.learners")
    today = clock.today()
    filters = _filters()
    page = request.args.get("pagina", 1, type=bounded_int(1, 100_000))
    orgs = subtree_ids([org.id])
    # Her own row is not among her learners (a schoolopleider is often a learner there too).
    ids = people.school_people(orgs, filters, today).where(User.id != current_user.id)
    total = people.count(ids)
    lines = people.learner_lines(ids, today, limit=people.PAGE_SIZE,
                                 offset=(page - 1) * people.PAGE_SIZE)
    columns = learner_columns(current_user, [line.id for line in lines], "schoolopleider")
    without_mentor, overloaded = people.coverage_counts(orgs, _max_learners())
    tracks = list(db.session.execute(
        select(Track.slug, Track.title).where(Track.archived.is_(False)).order_by(Track.title)))
    next_url = None
    if total > page * people.PAGE_SIZE:
        args = {k: v for k, v in request.args.items() if k != "pagina"}
        next_url = url_for("schoolopleider.school", org_id=org.id, pagina=page + 1, **args)
    return render_audited("schoolopleider/school.html", [line.id for line in lines],
                          "school.learners", org.id, org=org, lines=lines, columns=columns,
                          total=total,
                          next_url=next_url, filters=filters, tracks=tracks,
                          without_mentor=without_mentor, overloaded=overloaded,
                          threshold=_max_learners(), roles=ROLES, role_label=role_label,
                          status_labels=STATUS_LABELS)


@bp.get("/<id:org_id>/dekking")
@login_required
def coverage(org_id: int):
    org = _org(org_id, "school.learners")
    report = people.mentor_coverage(subtree_ids([org.id]), _max_learners(), sample=500)
    return render_audited("schoolopleider/coverage.html",
                          [pid for pid, _name in report.without_mentor_names]
                          + [mid for mid, _name, _n in report.overloaded], "school.coverage",
                          org.id, org=org, coverage=report)


def _member(org: Organisation, learner_id: int) -> User:
    """A person of this school (subtree), or 404."""
    person = db.get_or_404(User, learner_id)
    below = set(db.session.scalars(subtree_ids([org.id])))
    if not learner_org_ids(person.id) & below:
        abort(404)
    return person


@bp.get("/<id:org_id>/deelnemer/<id:learner_id>")
@login_required
def learner(org_id: int, learner_id: int):
    org = _org(org_id, "school.manage")
    person = _member(org, learner_id)
    line = people.learner_lines(select(User.id).where(User.id == person.id), clock.today())[0]
    orgs = subtree_ids([org.id])
    candidates = [m for m in mentor_candidates(orgs) if m.id != person.id]
    current_mentors = list(db.session.scalars(
        select(User).join(MentorAssignment, MentorAssignment.mentor_id == User.id)
        .where(MentorAssignment.learner_id == person.id).order_by(User.name)))
    tracks = list(db.session.scalars(
        select(Track).where(Track.archived.is_(False)).order_by(Track.title)))
    return render_audited("schoolopleider/learner.html", [person.id], "school.learner", org.id,
                          org=org, person=person, line=line, candidates=candidates,
                          current_mentors=current_mentors, tracks=tracks, form=EmptyForm(),
                          status_labels=STATUS_LABELS)


def _back(org: Organisation, person: User):
    return redirect(url_for("schoolopleider.learner", org_id=org.id, learner_id=person.id))


@bp.post("/<id:org_id>/deelnemer/<id:learner_id>/inschrijven")
@login_required
def enrol_learner(org_id: int, learner_id: int):
    org = _org(org_id, "school.manage")
    person = _member(org, learner_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    require(current_user, "enrolment.create", person)
    track = db.session.scalar(select(Track).where(Track.slug == request.form.get("track", "")))
    if track is None:
        flash(_("Choose a track."), "error")
        return _back(org, person)
    try:
        enrol(person, track=track, by=current_user)
    except TrackError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(name)s is enrolled in %(track)s.", name=person.name, track=track.title),
              "success")
    return _back(org, person)


@bp.post("/<id:org_id>/deelnemer/<id:learner_id>/mentor")
@login_required
def mentor(org_id: int, learner_id: int):
    org = _org(org_id, "school.manage")
    person = _member(org, learner_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    mentor_id = request.form.get("mentor_id", type=to_id)
    if request.form.get("remove") == "1" and mentor_id:
        unassign_mentor(person, mentor_id, by=current_user)
        flash(_("The mentor no longer guides %(name)s.", name=person.name), "info")
        return _back(org, person)
    chosen = db.session.get(User, mentor_id) if mentor_id else None
    allowed = {m.id for m in mentor_candidates(subtree_ids([org.id]))}
    if chosen is None:
        flash(_("Choose a mentor."), "error")
        return _back(org, person)
    try:
        assign_mentor(person, chosen, by=current_user, allowed_mentor_ids=allowed)
    except MentoringError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(mentor)s now guides %(name)s.", mentor=chosen.name, name=person.name),
              "success")
    return _back(org, person)


@bp.route("/<id:org_id>/deelnemer/<id:learner_id>/vrijstelling/<track_slug>",
          methods=["GET", "POST"])
@login_required
def exemption(org_id: int, learner_id: int, track_slug: str):
    org = _org(org_id, "school.manage")
    person = _member(org, learner_id)
    require(current_user, "exemption.grant", person)
    track = db.session.scalar(select(Track).where(Track.slug == track_slug))
    if track is None:
        abort(404)
    form = ExemptionForm()
    courses = {tc.course.slug: tc.course for tc in db.session.scalars(
        select(TrackCourse).where(TrackCourse.track_id == track.id).order_by(TrackCourse.position))}
    form.course.choices = [(slug, c.title) for slug, c in courses.items()]
    if form.validate_on_submit():
        try:
            grant_exemption(person, track, courses[form.course.data], by=current_user,
                            reason=form.reason.data)
        except TrackError as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            flash(_("Exemption granted."), "success")
            return _back(org, person)
    return render_audited("schoolopleider/exemption.html", [person.id], "school.exemption",
                          org.id, org=org, person=person, track=track, form=form)
