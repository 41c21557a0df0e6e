"""Data rights: a person downloads their data; admins review retention, erase people and read
the audit log."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from lms.access import require
from lms.extensions import db
from lms.models import User, audit
from lms.models.base import utcnow
from lms.privacy import retention
from lms.privacy.audit_log import PAGE as AUDIT_PAGE
from lms.privacy.audit_log import action_label, audit_page, object_label
from lms.privacy.erase import erase_person
from lms.privacy.export import export_zip
from lms.web.inputs import to_id

bp = Blueprint("privacy", __name__)


class EmptyForm(FlaskForm):
    """Just the CSRF token."""


@bp.get("/account/gegevens")
@login_required
def my_data():
    return render_template("privacy/my_data.html", form=EmptyForm())


@bp.post("/account/gegevens/download")
@login_required
def download():
    if not EmptyForm().validate_on_submit():
        abort(400)
    audit("data.export", actor=current_user, subject=current_user, object_type="user",
          object_id=current_user.id)
    db.session.commit()
    payload = export_zip(current_user)
    name = f"leerpad-gegevens-{utcnow():%Y%m%d}.zip"
    return Response(payload, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/beheer/privacy")
@login_required
def review():
    require(current_user, "privacy.admin", None)
    return render_template("privacy/review.html", rows=retention.review_list(), form=EmptyForm())


def _person(user_id: int) -> User:
    require(current_user, "privacy.admin", None)
    person = db.get_or_404(User, user_id)
    return person


@bp.route("/beheer/privacy/<id:user_id>/verwijderen", methods=["GET", "POST"])
@login_required
def erase(user_id: int):
    person = _person(user_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("confirm") != person.email or person.id == current_user.id:
            flash(_("Type the person's e-mail address to confirm (you cannot erase yourself)."),
                  "error")
        else:
            erase_person(person, by=current_user)
            flash(_("The person's data has been erased."), "success")
            return redirect(url_for("privacy.review"))
    return render_template("privacy/erase.html", person=person, form=form)


@bp.post("/beheer/privacy/<id:user_id>/bewaren")
@login_required
def keep(user_id: int):
    person = _person(user_id)
    if EmptyForm().validate_on_submit():
        audit("retention.keep", actor=current_user, subject=person, object_type="user",
              object_id=person.id)
        retention.keep(person)
        flash(_("The account is kept; it will be flagged again when it stays inactive."), "info")
    return redirect(url_for("privacy.review"))


@bp.get("/beheer/auditlog")
@login_required
def audit_log():
    """The audit log, newest first, by the name or e-mail address of who did it or whom it was
    about (``zoek``); ``persoon`` (an account id) still works for links."""
    require(current_user, "privacy.admin", None)
    search = request.args.get("zoek", "")[:200]
    person = request.args.get("persoon", type=to_id)
    before = request.args.get("voor", type=to_id)
    rows = audit_page(search=search, person=person, before=before)
    more = rows[-1][0].id if len(rows) == AUDIT_PAGE else None
    return render_template("privacy/audit.html", rows=rows, search=search, person=person,
                           more=more, action_label=action_label, object_label=object_label)
