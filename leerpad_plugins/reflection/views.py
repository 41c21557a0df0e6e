"""The reflection plugin's pages: the prompts on the lesson page, the logboek, sharing, and
what a mentor may read."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.access import can, record_views, require
from lms.activities import ensure_enrolled, lesson_or_404, lesson_url, render_fragment
from lms.extensions import db
from lms.models.accounts import User

from . import portfolio
from .models import ReflectionEntry

bp = Blueprint("reflection", __name__, url_prefix="/plugins/reflection")

ERRORS = {
    "empty": lambda: _("Write something before saving."),
    "too long": lambda: _("Your text is too long (at most %(n)s characters).", n=portfolio.MAX_LENGTH),
    "unknown prompt": lambda: _("This prompt does not exist (any more)."),
}


def render(lesson: Any, user: Any) -> Markup:
    """One form per prompt with the learner's own text, and its sharing state."""
    entries = {e.prompt_id: e for e in portfolio.entries_of(user.id, lesson.id)}
    return render_fragment("reflection/activity.html", lesson=lesson,
                           prompts=portfolio.prompts(lesson), entries=entries)


def _own_entry(entry_id: int) -> ReflectionEntry:
    """An entry the current user may read: only its writer (``reflection.view``'s tier)."""
    entry = db.session.get(ReflectionEntry, entry_id)
    if entry is None or not can(current_user, "reflection.view", entry):
        abort(404)
    return entry


@bp.post("/lessen/<id:lesson_id>/vragen/<prompt_id>")
@login_required
def write(lesson_id: int, prompt_id: str):
    lesson = lesson_or_404(lesson_id, "reflection")
    require(current_user, "progress.record", current_user)
    try:
        ensure_enrolled(current_user, lesson)
        portfolio.write_entry(current_user, lesson, prompt_id, request.form.get("text", ""))
    except portfolio.ReflectionError as exc:
        db.session.rollback()
        flash(ERRORS[str(exc)](), "error")
    else:
        flash(_("Saved in your logbook. Only you can read it until you share it."), "success")
    return redirect(lesson_url(lesson, f"prompt-{prompt_id}"))


@bp.post("/notities/<id:entry_id>/delen")
@login_required
def share(entry_id: int):
    entry = _own_entry(entry_id)
    shared = request.form.get("shared") == "1"
    portfolio.set_shared(entry, shared)
    flash(_("Shared with your mentor.") if shared else _("No longer shared."), "success")
    back = request.form.get("back")
    if back == "logbook":
        return redirect(url_for("reflection.logbook"))
    return redirect(lesson_url(entry.lesson, f"prompt-{entry.prompt_id}"))


@bp.get("/logboek")
@login_required
def logbook():
    require(current_user, "reflection.view", current_user)
    entries = portfolio.entries_of(current_user.id)
    return render_template("reflection/logbook.html", entries=entries,
                           prompt_text=portfolio.prompt_text)


@bp.get("/deelnemers/<id:learner_id>")
@login_required
def shared_with_me(learner_id: int):
    """A mentor reads the entries their learner shared; anyone else finds nothing here."""
    learner = db.session.get(User, learner_id)
    if learner is None or learner.id == current_user.id:
        abort(404)
    if not can(current_user, "reflection.view_shared", learner):
        abort(404)
    entries = portfolio.entries_of(learner.id, shared_only=True)
    record_views(current_user, [learner.id], "reflection.shared")
    db.session.commit()
    return render_template("reflection/shared.html", learner=learner, entries=entries,
                           prompt_text=portfolio.prompt_text)
