"""The ``quiz`` lesson type: its front-matter keys and how they are checked."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KINDS = ("single", "multiple")
DEFAULT_PASS_SCORE = 70

FIELDS = {
    "pass_score": "percent of the questions answered correctly needed to pass (default 70)",
    "questions": "list of questions: id, text, kind (single|multiple), options "
                 "(text, correct, feedback)",
}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def validate(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems in a quiz lesson's front matter, as ``(field, message)``."""
    problems: list[tuple[str, str]] = []
    score = meta.get("pass_score", DEFAULT_PASS_SCORE)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
        problems.append(("pass_score", f"must be a number from 0 to 100, got {score!r}"))
    questions = meta.get("questions")
    if not isinstance(questions, list) or not questions:
        problems.append(("questions", "a quiz needs a list of at least one question"))
        return problems
    seen: set[str] = set()
    for q_index, question in enumerate(questions):
        at = f"questions[{q_index}]"
        if not isinstance(question, dict):
            problems.append((at, "must be a mapping with id, text, kind and options"))
            continue
        unknown = sorted(set(question) - {"id", "text", "kind", "options"})
        if unknown:
            problems.append((at, f"unknown key(s): {', '.join(map(str, unknown))}"))
        qid = question.get("id")
        if not isinstance(qid, str) or not SLUG.match(qid):
            problems.append((f"{at}.id", f"must be a lowercase slug, got {qid!r}"))
        elif qid in seen:
            problems.append((f"{at}.id", f"duplicate question id '{qid}'"))
        else:
            seen.add(qid)
        if not _text(question.get("text")):
            problems.append((f"{at}.text", "a question needs its text"))
        kind = question.get("kind", "single")
        if kind not in KINDS:
            problems.append((f"{at}.kind", f"must be single or multiple, got {kind!r}"))
        options = question.get("options")
        if not isinstance(options, list) or len(options) < 2:
            problems.append((f"{at}.options", "a question needs a list of at least two options"))
            continue
        correct = 0
        for o_index, option in enumerate(options):
            o_at = f"{at}.options[{o_index}]"
            if not isinstance(option, dict):
                problems.append((o_at, "must be a mapping with text, correct and feedback"))
                continue
            unknown = sorted(set(option) - {"text", "correct", "feedback"})
            if unknown:
                problems.append((o_at, f"unknown key(s): {', '.join(map(str, unknown))}"))
            if not _text(option.get("text")):
                problems.append((f"{o_at}.text", "an option needs its text"))
            if not isinstance(option.get("correct", False), bool):
                problems.append((f"{o_at}.correct", "must be true or false"))
            elif option.get("correct"):
                correct += 1
            if "feedback" in option and not _text(option["feedback"]):
                problems.append((f"{o_at}.feedback", "must be text"))
        if kind == "single" and correct != 1:
            problems.append((f"{at}.options", f"a single-answer question needs exactly one "
                                              f"correct option, found {correct}"))
        if kind == "multiple" and correct < 1:
            problems.append((f"{at}.options", "a multiple-answer question needs at least one "
                                              "correct option"))
    return problems
