"""Read-only views on the bundled plugins' data (assignment submissions, reflections).

The plugins own their tables and their actions: the sign-off queue comes from the assignment
plugin's own ``work.queue_for`` (its pages approve and return), shared reflections from the
reflection plugin's ``portfolio.entries_of``. Counts for the overview are one GROUP BY on the
plugin's table. When a plugin is not installed, the answers are empty.
"""
from __future__ import annotations

from collections import defaultdict

from flask import url_for
from sqlalchemy import func, select

from lms.extensions import db
from lms.plugins import get_pm


def _table(name: str):
    return db.metadata.tables.get(name)


def _plugin(name: str):
    pm = get_pm()
    return pm.get_plugin(name)


def open_submissions_per_learner(ids: list[int], reviewer_id: int | None) -> dict[int, int]:
    """Assignment submissions waiting for sign-off, per learner (one query)."""
    found: dict[int, int] = defaultdict(int)
    table = _table("assignment_submission")
    if table is None or _plugin("assignment") is None or not ids:
        return found
    for pid, n in db.session.execute(
        select(table.c.user_id, func.count()).where(table.c.user_id.in_(ids),
                                                    table.c.status == "submitted")
        .group_by(table.c.user_id)
    ):
        found[pid] = n
    return found


def shared_reflections_per_learner(ids: list[int], viewer_id: int) -> dict[int, int]:
    """Reflection entries the learners shared with their mentors, per learner (one query)."""
    found: dict[int, int] = defaultdict(int)
    table = _table("reflection_entry")
    if table is None or _plugin("reflection") is None or not ids:
        return found
    for pid, n in db.session.execute(
        select(table.c.user_id, func.count()).where(table.c.user_id.in_(ids),
                                                    table.c.shared.is_(True))
        .group_by(table.c.user_id)
    ):
        found[pid] = n
    return found


def sign_off_queue(reviewer) -> list[dict]:
    """Submissions waiting for ``reviewer``'s sign-off (the assignment plugin decides which)."""
    plugin = _plugin("assignment")
    work = getattr(plugin, "work", None)
    if work is None:
        return []
    return [{"id": s.id, "learner_id": s.user_id, "learner_name": s.learner.name,
             "title": s.lesson.title, "submitted_at": s.submitted_at,
             "url": url_for("assignment.review", submission_id=s.id)}
            for s in work.queue_for(reviewer)]


def shared_reflections(learner_id: int) -> list[dict]:
    """The reflection entries ``learner_id`` shared with their mentors (callers check access)."""
    plugin = _plugin("reflection")
    portfolio = getattr(plugin, "portfolio", None)
    if portfolio is None:
        return []
    return [{"title": entry.lesson.title, "prompt": portfolio.prompt_text(entry),
             "text": entry.text, "shared_at": entry.shared_at}
            for entry in portfolio.entries_of(learner_id, shared_only=True)]
