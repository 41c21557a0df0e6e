"""The administrator's view of the background jobs (/beheer/taken): what waits in the queue,
which jobs failed after their last try and why, and a button to run one again."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired

from lms import jobs
from lms.access import require
from lms.web.inputs import to_id

bp = Blueprint("jobs", __name__, url_prefix="/beheer/taken")


class RetryForm(FlaskForm):
    failure = HiddenField(validators=[DataRequired()])


@bp.get("/")
@login_required
def index():
    require(current_user, "jobs.manage")
    return render_template("jobs/index.html", failures=jobs.failures(),
                           waiting=jobs.pending_count(), form=RetryForm(),
                           redis=bool(current_app.config.get("JOBS_REDIS_URL")))


@bp.post("/opnieuw")
@login_required
def retry():
    require(current_user, "jobs.manage")
    form = RetryForm()
    failure_id = None
    if form.validate_on_submit():
        try:
            failure_id = to_id(form.failure.data)
        except ValueError:
            failure_id = None
    if failure_id is not None and jobs.retry_failure(failure_id):
        flash(_("The job is queued again."), "success")
    else:
        flash(_("This job cannot be queued again (already retried, or the queue is "
                "unreachable)."), "error")
    return redirect(url_for("jobs.index"))
