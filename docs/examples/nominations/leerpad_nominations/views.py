"""The plugin's pages under /plugins/nominations/: nominate a learner, see your nominations."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from lms.access import require
from lms.extensions import db
from lms.models import User

from . import nominating

bp = Blueprint("nominations", __name__, url_prefix="/plugins/nominations")


class NominationForm(FlaskForm):
    """The motivation; FlaskForm adds (and checks) the CSRF token."""

    motivation = TextAreaField("Motivatie", validators=[
        DataRequired("Schrijf waarom je deze deelnemer nomineert."),
        Length(max=nominating.MAX_MOTIVATION,
               message=f"Hooguit {nominating.MAX_MOTIVATION} tekens.")])


@bp.get("/")
@login_required
def index():
    return render_template("nominations/index.html",
                           nominations=nominating.made_by(current_user.id),
                           limit=current_app.config["NOMINATIONS_MAX_PER_YEAR"],
                           used=nominating.made_this_year(current_user.id))


@bp.route("/deelnemer/<id:learner_id>", methods=["GET", "POST"])
@login_required
def nominate(learner_id: int):
    learner = db.get_or_404(User, learner_id)
    require(current_user, "nominations.create", learner)  # 404 for strangers, else 403
    form = NominationForm()
    if form.validate_on_submit():
        try:
            nominating.nominate(current_user, learner, form.motivation.data,
                                limit=current_app.config["NOMINATIONS_MAX_PER_YEAR"])
        except nominating.LimitReached as exc:
            flash(f"Je hebt dit jaar al {exc.args[0]} nominaties gedaan.", "error")
        else:
            flash(f"{learner.name} is genomineerd als talent.", "success")
            return redirect(url_for("nominations.index"))
    return render_template("nominations/nominate.html", form=form, learner=learner)
