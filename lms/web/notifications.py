"""One's own notifications: the inbox (read and unread), marking them read, and how they are
e-mailed (one by one, or in a weekly digest)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.access import require
from lms.notify import inbox as inbox_page
from lms.notify import mark_read, message, set_digest
from lms.web.inputs import bounded_int, to_id
from lms.web.safety import safe_next

bp = Blueprint("notifications", __name__, url_prefix="/meldingen")


class EmptyForm(FlaskForm):
    """Just the CSRF token."""


@bp.get("")
@login_required
def inbox():
    """Every notification, newest first; ``?alleen=ongelezen`` shows the unread ones."""
    require(current_user, "notifications.view", current_user)
    unread_only = request.args.get("alleen") == "ongelezen"
    page = request.args.get("pagina", 1, type=bounded_int(1, 100_000))
    return render_template("notifications/inbox.html",
                           box=inbox_page(current_user, unread_only=unread_only, page=page),
                           unread_only=unread_only, message=message)


@bp.post("/gelezen")
@login_required
def read():
    """Mark one notification (``id``) or all of them read."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    require(current_user, "notifications.view", current_user)
    note_id = request.form.get("id", type=to_id)
    changed = mark_read(current_user, note_id)
    if note_id is None and changed:
        flash(_("All notifications are marked as read."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))


@bp.post("/instellingen")
@login_required
def settings():
    """One e-mail per notification, or one a week with all of them."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    require(current_user, "notifications.view", current_user)
    choice = request.form.get("email")
    if choice not in ("each", "weekly"):
        abort(400)
    set_digest(current_user, choice == "weekly")
    flash(_("You get one e-mail a week with your notifications.") if choice == "weekly"
          else _("You get an e-mail for each notification."), "success")
    return redirect(url_for("auth.account"))
