"""The quiz's web side: the activity on the lesson page and the route that takes an attempt."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.access import require
from lms.activities import ensure_enrolled, lesson_or_404, lesson_url, render_fragment

from . import scoring

bp = Blueprint("quiz", __name__, url_prefix="/plugins/quiz")


def render(lesson: Any, user: Any) -> Markup:
    """The questions, and after an attempt its score and the feedback on each answer."""
    attempt = scoring.latest_attempt(user.id, lesson.id)
    return render_fragment(
        "quiz/activity.html", lesson=lesson, questions=scoring.questions(lesson),
        pass_score=scoring.pass_score(lesson), attempt=attempt,
        review=scoring.review(lesson, attempt) if attempt else None)


@bp.post("/lessen/<id:lesson_id>/pogingen")
@login_required
def attempt(lesson_id: int):
    lesson = lesson_or_404(lesson_id, "quiz")
    require(current_user, "progress.record", current_user)
    raw = {q["id"]: request.form.getlist(q["id"]) for q in scoring.questions(lesson)}
    answers = scoring.clean_answers(lesson, raw)
    ensure_enrolled(current_user, lesson)
    scoring.take_quiz(current_user, lesson, answers)
    return redirect(lesson_url(lesson, "quiz-result"))
