"""Taking modules: the catalogue, course, lesson and track pages, enrolling, marking done
and granting exemptions. GET handlers only read; every write is a POST through
``lms.tracking`` after an ``lms.access`` check."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, g, make_response, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from lms.access import can, require, supervised_learners
from lms.clock import today
from lms.content.validate import activity_types
from lms.extensions import db, login_manager
from lms.accounts.people import role_label
from lms.models import ROLES, Course, Track, User
from lms.models.organisations import SECTORS
from lms.plugins import get_pm
from lms.tracking import record_progress
from lms.hours_rules import person_facts
from lms.readmodels.catalogue import NLQF_LEVELS, Filters
from lms.readmodels.catalogue import catalogue as load_catalogue
from lms.readmodels.pages import course_view, track_view
from lms.readmodels.versions import lesson_versions
from lms.tracking.prerequisites import CourseLocked, start_lesson
from lms.tracking.tracks import TrackError, enrol, grant_exemption
from lms.web.inputs import to_id
from lms.web.revalidation import (confirms, keep_lesson, kept_lesson, not_modified,
                                  page_etag, tag)

bp = Blueprint("learn", __name__)



class EnrolOtherForm(FlaskForm):
    user_id = SelectField(_l("Learner"), coerce=int, validators=[DataRequired()])


class ExemptionForm(FlaskForm):
    course = SelectField(_l("Course"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


def _enrol_other_form() -> EnrolOtherForm | None:
    """The 'enrol a learner' form, for schoolopleiders, coordinators and admins only."""
    if not can(current_user, "enrolment.create"):
        return None
    form = EnrolOtherForm()
    form.user_id.choices = [SelectChoice(str(u.id), f"{u.name} ({u.email})")
                            for u in supervised_learners(current_user) if u.id != current_user.id]
    return form if form.user_id.choices else None


def _learner_from_form() -> User:
    """The person a POST is about: ``user_id`` in the form, else the current user."""
    raw = request.form.get("user_id", "").strip()
    if not raw or raw == str(current_user.id):
        return current_user
    try:
        learner_id = to_id(raw)
    except ValueError:
        abort(400)
    return db.session.get(User, learner_id) or abort(404)


FILTERS_KEY = "catalogue_filters"  # the last filters used, kept in the (signed) session
FILTER_ARGS = ("q", "role", "sector", "language", "nlqf")


@bp.get("/catalogus")
@login_required
def catalogue():
    """Search and filters in the query string; the last ones used are remembered in the
    session and applied when the catalogue is opened without any (``?wis=1`` forgets them)."""
    given = any(name in request.args for name in FILTER_ARGS)
    remembered = False
    if request.args.get("wis"):
        session.pop(FILTERS_KEY, None)
        args = {}
    elif given:
        args = request.args
    else:
        args = session.get(FILTERS_KEY) or {}
        remembered = bool(args)
    filters = Filters.from_args(args, ROLES, SECTORS)
    if given:
        if filters.active:
            session[FILTERS_KEY] = filters.as_args()
        else:
            session.pop(FILTERS_KEY, None)
    roles, sectors = person_facts(current_user)
    found = load_catalogue(current_user.id, filters, roles=roles, sectors=sectors)
    return render_template("learn/catalogue.html", catalogue=found, roles=ROLES, sectors=SECTORS,
                           levels=NLQF_LEVELS, role_label=role_label, filters=filters,
                           remembered=remembered)


@bp.get("/cursussen/<course_slug>")
@login_required
def course(course_slug: str):
    view = course_view(current_user.id, course_slug) or abort(404)
    return render_template("learn/course.html", view=view, enrol_form=_enrol_other_form())


@bp.get("/cursussen/<course_slug>/<lesson_slug>")
def lesson(course_slug: str, lesson_slug: str):
    # A page asked again is answered from one query when the lesson's type renders no
    # per-learner activity (whose state lives in a plugin's tables): the browser's copy
    # confirmed (304) or the page this worker kept (lms.web.revalidation, lms.web.pagecache).
    types = activity_types(get_pm())
    kept = kept_lesson(course_slug, lesson_slug, lambda type_: _revalidates(types.get(type_)))
    if kept is not None:  # kept_lesson checked the login itself, as login_required does
        return kept
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.if_none_match and not g.get("lesson_checked"):
        found = lesson_versions(current_user.id, course_slug, lesson_slug)
        if found and _revalidates(types.get(found[0])):
            etag = page_etag("lesson", found[1], course_slug, lesson_slug)
            if confirms(etag):
                return not_modified(etag)
    # A page showing a message is never confirmed or kept: the message shows once.
    message = "_flashes" in session
    view = course_view(current_user.id, course_slug, lesson_slug, versions=True) or abort(404)
    current = view.current.lesson
    activity = types.get(current.type)
    # A locked course shows what to finish first instead of the lesson and its activity.
    activity_html = (activity.render(current, current_user)
                     if activity and activity.render and not view.locked else None)
    response = make_response(render_template(
        "learn/lesson.html", view=view, item=view.current, activity_html=activity_html,
        manual=bool(activity and activity.manual_completion)))
    if _revalidates(activity) and not message:
        tag(response, page_etag("lesson", view.versions, course_slug, lesson_slug))
        keep_lesson(course_slug, lesson_slug, response)
    return response


def _revalidates(activity) -> bool:
    """Whether a lesson of this type is the same page while the versions are the same."""
    return activity is None or activity.render is None


def locked_message(waiting_for) -> str:
    """What to finish first, for a flash message (the same words on every page)."""
    return _("This course opens once you have completed: %(courses)s.",
             courses=", ".join(p.title for p in waiting_for))


@bp.post("/cursussen/<course_slug>/<lesson_slug>/afgerond")
@login_required
def mark_done(course_slug: str, lesson_slug: str):
    view = course_view(current_user.id, course_slug, lesson_slug) or abort(404)
    require(current_user, "progress.record", current_user)
    activity = activity_types(get_pm()).get(view.current.lesson.type)
    if not (activity and activity.manual_completion):
        abort(400, _("This lesson is completed through its activity."))
    lesson_id, next_item = view.current.lesson.id, view.next
    next_slug = next_item.lesson.slug if next_item else None
    try:
        enrolled = start_lesson(current_user, view.current.lesson)
    except CourseLocked as exc:
        flash(locked_message(exc.waiting_for), "error")
        return redirect(url_for("learn.course", course_slug=course_slug))
    record_progress(current_user, db.session.get(type(view.current.lesson), lesson_id), "completed")
    flash(_("Marked as done. You are now enrolled in this course.") if enrolled
          else _("Marked as done."), "success")
    if next_slug:
        return redirect(url_for("learn.lesson", course_slug=course_slug, lesson_slug=next_slug))
    return redirect(url_for("learn.course", course_slug=course_slug))


@bp.post("/cursussen/<course_slug>/inschrijven")
@login_required
def enrol_course(course_slug: str):
    _enrol_from_form(Course, course_slug, "course")
    return redirect(url_for("learn.course", course_slug=course_slug))


def _enrol_from_form(model: type[Course] | type[Track], slug: str, kind: str) -> None:
    """Enrol the form's learner (the current user unless ``learner`` is given) in a live
    course or track, if the current user may."""
    target = db.session.scalar(select(model).where(model.slug == slug,
                                                   model.archived.is_(False))) or abort(404)
    learner = _learner_from_form()
    require(current_user, "enrolment.create", learner)
    enrol(learner, by=current_user, **{kind: target})
    flash(_("%(name)s is enrolled in %(title)s.", name=learner.name, title=target.title)
          if learner.id != current_user.id else _("You are enrolled."), "success")


@bp.get("/leerroutes/<slug>")
@login_required
def track(slug: str):
    learner = current_user
    if request.args.get("learner", "").isdigit():
        learner_id = request.args.get("learner", type=to_id) or abort(404)
        if learner_id != current_user.id:
            learner = db.session.get(User, learner_id) or abort(404)
            require(current_user, "progress.view", learner)  # status only: coordinators too
    view = track_view(learner.id, slug, today()) or abort(404)
    exemption_form = None
    if learner.id != current_user.id and can(current_user, "exemption.grant", learner):
        exemption_form = ExemptionForm()
        exemption_form.course.choices = [SelectChoice(s.slug, s.title)
                                         for s in view.steps if not s.done]
    return render_template("learn/track.html", view=view, learner=learner,
                           enrol_form=_enrol_other_form() if learner.id == current_user.id else None,
                           exemption_form=exemption_form)


@bp.post("/leerroutes/<slug>/inschrijven")
@login_required
def enrol_track(slug: str):
    _enrol_from_form(Track, slug, "track")
    return redirect(url_for("learn.track", slug=slug))


@bp.post("/leerroutes/<slug>/vrijstellingen")
@login_required
def grant(slug: str):
    target = db.session.scalar(select(Track).where(Track.slug == slug)) or abort(404)
    learner = _learner_from_form()
    require(current_user, "exemption.grant", learner)
    form = ExemptionForm()
    form.course.choices = [SelectChoice(tc.course.slug, tc.course.title) for tc in target.courses]
    back = redirect(url_for("learn.track", slug=slug, learner=learner.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return back
    chosen = next(tc.course for tc in target.courses if tc.course.slug == form.course.data)
    try:
        grant_exemption(learner, target, chosen, by=current_user, reason=form.reason.data)
    except TrackError as exc:
        flash(str(exc), "error")
        return back
    flash(_("Exemption granted for %(title)s.", title=chosen.title), "success")
    return back
