"""Marking one's own notifications as read."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.notify import mark_read
from lms.web.inputs import to_id
from lms.web.safety import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/meldingen")


class EmptyForm(FlaskForm):
    """Just the CSRF token."""


@bp.post("/gelezen")
@login_required
def read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    note_id = request.form.get("id", type=to_id)
    mark_read(current_user, note_id)
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))

