"""Certificates of attendance for completed courses: an example Leerpad plugin.

Every function below implements one hook from ``lms.hookspecs``; ``from lms import hookimpl``
is the only Leerpad import a plugin needs (the rest is for reading data and rendering).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from lms import hookimpl
from lms.activities import NavItem, render_fragment
from lms.extensions import db
from lms.models.content import Course
from lms.models.progress import CourseState

__version__ = "1.0.0"
log = logging.getLogger(__name__)

# The blueprint serves the package's static/ folder at /plugins/certificate/static/.
bp = Blueprint("certificate", __name__, url_prefix="/plugins/certificate",
               static_folder="static", static_url_path="/static")


def completed_courses(user_id: int) -> list[tuple[Course, CourseState]]:
    """The courses this learner completed, most recent first."""
    rows = db.session.execute(
        select(Course, CourseState).join(CourseState, CourseState.course_id == Course.id)
        .where(CourseState.user_id == user_id, CourseState.status == "completed")
        .order_by(CourseState.completed_at.desc()))
    return [(course, state) for course, state in rows]


@bp.get("/")
@login_required
def index():
    return render_template("certificate/index.html", done=completed_courses(current_user.id))


@bp.get("/<course_slug>")
@login_required
def show(course_slug: str):
    found = [(c, s) for c, s in completed_courses(current_user.id) if c.slug == course_slug]
    if not found:
        abort(404)  # no certificate for a course you have not completed
    course, state = found[0]
    return render_template("certificate/certificate.html", course=course, state=state,
                           learner=current_user)


@hookimpl
def lms_register_blueprints(app):
    return bp


@hookimpl
def lms_nav_items(user):
    if getattr(user, "is_authenticated", False):
        return NavItem("certificate.index", _l("Certificates"), 60)
    return None


@hookimpl
def lms_path_sections(user, path, viewer):
    """The learner's certificates; a mentor looking at the path sees the list, not the links
    (the certificate pages are the learner's own)."""
    done = completed_courses(user.id)
    return render_fragment("certificate/_section.html", done=done, own=viewer.id == user.id)


@hookimpl
def lms_dashboard_widgets(user, scope):
    if scope != "home" or not getattr(user, "is_authenticated", False):
        return None
    count = len(completed_courses(user.id))
    return render_fragment("certificate/_widget.html", count=count,
                           link=url_for("certificate.index"))


@hookimpl
def lms_progress_recorded(event):
    """Say in the log when an event completed a course (and so a certificate is ready)."""
    state = db.session.scalar(select(CourseState).where(
        CourseState.user_id == event.user_id, CourseState.course_id == event.course_id))
    if state is not None and state.status == "completed":
        log.info("certificate ready for user %s, course %s", event.user_id, event.course.slug)
