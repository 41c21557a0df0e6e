"""The assignment plugin's pages: handing in on the lesson page, the reviewer's queue and
the sign-off form."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.access import can, record_views, require
from lms.activities import ensure_enrolled, lesson_or_404, lesson_url, render_fragment
from lms.extensions import db
from lms.models.content import Lesson
from lms.web.inputs import to_id
from lms.web.limits import FORM_ALLOWANCE, limit_body

from . import work
from .models import AssignmentSubmission

bp = Blueprint("assignment", __name__, url_prefix="/plugins/assignment")


@bp.url_value_preprocessor
def _upload_limit(endpoint: str | None, values: dict | None) -> None:
    """A hand-in may be as large as the lesson's file limit plus the form around it, no
    larger: refused (413) before the body is read, or cut off while it streams in. This runs
    before any ``before_request`` (the CSRF check reads the form)."""
    if endpoint != "assignment.submit" or not values:
        return
    lesson = db.session.get(Lesson, values["lesson_id"])
    if lesson is not None and lesson.type == "assignment":
        rules = work.Rules.of(lesson)
        limit_body((rules.max_bytes if rules.file else 0) + FORM_ALLOWANCE)


def _message(code: str, rules: work.Rules | None = None) -> str:
    messages = {
        "waiting": lambda: _("Your work is waiting for sign-off; you can hand in again once it is returned."),
        "approved": lambda: _("This assignment has been approved already."),
        "no file": lambda: _("This assignment does not take a file."),
        "type": lambda: _("This file type is not allowed; use one of: %(types)s.",
                          types=", ".join(rules.types) if rules else ""),
        "size": lambda: _("The file is too large (at most %(mb)s MB).",
                          mb=round(rules.max_bytes / 1024 / 1024, 1) if rules else 0),
        "empty file": lambda: _("The file is empty."),
        "empty": lambda: _("Write your answer or add a file before handing in."),
        "too long": lambda: _("Your text is too long."),
        "decided": lambda: _("This submission has been handled already."),
        "feedback": lambda: _("Write feedback when you return work."),
    }
    return messages[code]()


def render(lesson: Any, user: Any) -> Markup:
    """The learner's submissions with their feedback, and the hand-in form when open."""
    submissions = work.history(user.id, lesson.id)
    current = submissions[0] if submissions else None
    can_submit = current is None or current.status == "returned"
    return render_fragment("assignment/activity.html", lesson=lesson,
                           rules=work.Rules.of(lesson), submissions=submissions,
                           can_submit=can_submit)


@bp.post("/lessen/<id:lesson_id>/inleveringen")
@login_required
def submit(lesson_id: int):
    lesson = lesson_or_404(lesson_id, "assignment")
    require(current_user, "progress.record", current_user)
    rules = work.Rules.of(lesson)
    sent = request.files.get("file")
    upload = None
    if sent is not None and sent.filename:
        # Read one byte past the limit: enough to know it is too large.
        upload = work.Upload(sent.filename, sent.stream.read(rules.max_bytes + 1))
    try:
        ensure_enrolled(current_user, lesson)
        work.submit(current_user, lesson, request.form.get("text", ""), upload)
    except work.SubmissionError as exc:
        db.session.rollback()
        flash(_message(str(exc), rules), "error")
    else:
        flash(_("Handed in. Your reviewer has been asked to sign it off."), "success")
    return redirect(lesson_url(lesson, "assignment"))


@bp.get("/aftekenen")
@login_required
def queue():
    """The old address of the queue: there is one sign-off queue, the core's."""
    return redirect(url_for("mentor.queue"), 301)


def _reviewable(submission_id: int) -> AssignmentSubmission:
    submission = db.session.get(AssignmentSubmission, submission_id)
    if submission is None or not can(current_user, "assignment.sign_off", submission):
        abort(404)
    return submission


@bp.get("/inleveringen/<id:submission_id>")
@login_required
def review(submission_id: int):
    submission = _reviewable(submission_id)
    record_views(current_user, [submission.user_id], "assignment.submission", submission.id)
    db.session.commit()
    return render_template("assignment/review.html", submission=submission,
                           rules=work.Rules.of(submission.lesson))


@bp.post("/inleveringen/<id:submission_id>/besluit")
@login_required
def decide(submission_id: int):
    submission = _reviewable(submission_id)
    approve = request.form.get("decision") == "approve"
    # The ticked criteria come as their 1-based positions in the lesson's list.
    met = {index - 1 for index in request.form.getlist("criteria", type=to_id)}
    try:
        work.decide(current_user, submission, approve, request.form.get("feedback", ""),
                    met=met)
    except work.SubmissionError as exc:
        db.session.rollback()
        flash(_message(str(exc)), "error")
        return redirect(url_for("assignment.review", submission_id=submission_id))
    flash(_("Approved.") if approve else _("Returned with your feedback."), "success")
    return redirect(url_for("mentor.queue"))


@bp.get("/inleveringen/<id:submission_id>/bestand")
@login_required
def download(submission_id: int):
    submission = db.session.get(AssignmentSubmission, submission_id)
    if (submission is None or submission.file_data is None
            or not can(current_user, "submission.view", submission)):
        abort(404)
    from flask import Response

    record_views(current_user, [submission.user_id], "assignment.file", submission.id)
    db.session.commit()
    return Response(submission.file_data, mimetype=submission.file_type or "application/octet-stream",
                    headers={"Content-Disposition": _attachment(submission.file_name or "bestand"),
                             "X-Content-Type-Options": "nosniff"})


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
