"""Taking a quiz: scoring answers against the lesson's questions and recording the attempt."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from lms.extensions import db
from lms.tracking import record_progress

from .activity import DEFAULT_PASS_SCORE
from .models import QuizAttempt


@dataclass(frozen=True)
class Review:
    """One question of an attempt, as shown after submitting."""

    question: Mapping[str, Any]
    chosen: list[int]
    correct: bool
    feedback: list[str]


def questions(lesson: Any) -> list[Mapping[str, Any]]:
    return list((lesson.settings or {}).get("questions") or [])


def pass_score(lesson: Any) -> float:
    return float((lesson.settings or {}).get("pass_score", DEFAULT_PASS_SCORE))


def clean_answers(lesson: Any, raw: Mapping[str, list[str]]) -> dict[str, list[int]]:
    """Keep only option indexes that exist; a single-answer question keeps at most one."""
    answers: dict[str, list[int]] = {}
    for question in questions(lesson):
        count = len(question.get("options") or [])
        picked = sorted({int(v) for v in raw.get(question["id"], []) if str(v).isdigit()
                         and int(v) < count})
        if question.get("kind", "single") == "single":
            picked = picked[:1]
        answers[question["id"]] = picked
    return answers


def is_correct(question: Mapping[str, Any], chosen: list[int]) -> bool:
    right = {i for i, option in enumerate(question.get("options") or []) if option.get("correct")}
    return set(chosen) == right


def score(lesson: Any, answers: Mapping[str, list[int]]) -> float:
    """Percent of the questions answered exactly right."""
    qs = questions(lesson)
    if not qs:
        return 0.0
    right = sum(is_correct(q, list(answers.get(q["id"], []))) for q in qs)
    return round(100.0 * right / len(qs), 1)


def review(lesson: Any, attempt: QuizAttempt) -> list[Review]:
    """Per question: what was chosen, whether it was right, and the feedback of each choice."""
    found = []
    for question in questions(lesson):
        chosen = list(attempt.answers.get(question["id"], []))
        options = question.get("options") or []
        feedback = [options[i]["feedback"] for i in chosen
                    if i < len(options) and options[i].get("feedback")]
        found.append(Review(question, chosen, is_correct(question, chosen), feedback))
    return found


def take_quiz(user: Any, lesson: Any, answers: Mapping[str, list[int]]) -> QuizAttempt:
    """Store an attempt and record ``attempted`` then ``passed`` or ``failed``."""
    percent = score(lesson, answers)
    attempt = QuizAttempt(user_id=user.id, lesson_id=lesson.id, answers=dict(answers),
                          score=percent, passed=percent >= pass_score(lesson))
    db.session.add(attempt)
    db.session.flush()
    key = f"quiz-attempt:{attempt.id}"
    record_progress(user, lesson, "attempted", key=key)  # commits the attempt too
    outcome = {"score": {"scaled": percent / 100, "raw": percent, "min": 0, "max": 100},
               "success": attempt.passed}
    record_progress(user, lesson, "passed" if attempt.passed else "failed", result=outcome, key=key)
    return attempt


def latest_attempt(user_id: int, lesson_id: int) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.lesson_id == lesson_id)
        .order_by(QuizAttempt.created_at.desc(), QuizAttempt.id.desc()).limit(1))


def personal_data(user) -> dict[str, list[dict]]:
    """Every attempt: the answers given and the score."""
    rows = db.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                              .order_by(QuizAttempt.id))
    return {"attempts": [{"lesson_id": row.lesson_id, "answers": row.answers, "score": row.score,
                          "passed": row.passed, "created_at": row.created_at} for row in rows]}


def erase_personal_data(user) -> None:
    """The answers go; the scores stay, as the numbers reports count."""
    db.session.execute(update(QuizAttempt).where(QuizAttempt.user_id == user.id)
                       .values(answers={}))
