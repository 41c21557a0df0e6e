"""The quiz plugin's part of the demo region: attempts for the quizzes the generated learners
reached — passed where the lesson is completed (sometimes after a failed try), one failed
attempt where it is not."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from lms.extensions import db

from .models import QuizAttempt
from .scoring import pass_score, questions, score


def _answers(rnd: random.Random, lesson, wrong: int) -> dict[str, list[int]]:
    """Right answers, except for ``wrong`` questions chosen at random."""
    qs = questions(lesson)
    missed = set(rnd.sample(range(len(qs)), min(wrong, len(qs))))
    answers = {}
    for number, question in enumerate(qs):
        options = question.get("options") or []
        right = [i for i, option in enumerate(options) if option.get("correct")]
        other = [i for i, option in enumerate(options) if not option.get("correct")]
        answers[question["id"]] = other[:1] if number in missed and other else right
    return answers


def add_attempts(region) -> None:
    """Write the attempts in bulk; commits."""
    rows = []
    for work in region.work:
        if work.lesson.type != "quiz" or not questions(work.lesson):
            continue
        rnd = random.Random(work.seed)
        failing = max(2, len(questions(work.lesson)) // 2 + 1)
        tries = [(work.at, rnd.choice([0, 0, 1]))] if work.completed else [(work.at, failing)]
        if work.completed and rnd.random() < 0.3:
            tries.insert(0, (work.at - timedelta(days=rnd.randint(1, 6)), failing))
        for number, (at, wrong) in enumerate(tries, start=1):
            answers = _answers(rnd, work.lesson, wrong)
            percent = score(work.lesson, answers)
            if work.completed and number == len(tries) and percent < pass_score(work.lesson):
                answers = _answers(rnd, work.lesson, 0)  # a completed quiz was passed
                percent = score(work.lesson, answers)
            rows.append({"user_id": work.user_id, "lesson_id": work.lesson.id,
                         "answers": answers, "score": percent,
                         "passed": percent >= pass_score(work.lesson), "created_at": at})
    if rows:
        db.session.execute(insert(QuizAttempt), rows)
    db.session.commit()
