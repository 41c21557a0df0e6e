"""The portfolio (logboek): writing, sharing and reading reflection entries."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models.base import utcnow
from lms.tracking import record_progress
from lms.tracking.record import registration_for
from lms.tracking.records import announce_records, note_record
from lms.tracking.state import locked_row

from .models import ReflectionEntry

MAX_LENGTH = 20_000


class ReflectionError(ValueError):
    """Bad input for a reflection (shown to the learner as a form error)."""


def prompts(lesson: Any) -> list[dict]:
    return list((lesson.settings or {}).get("prompts") or [])


def write_entry(user: Any, lesson: Any, prompt_id: str, text: str) -> ReflectionEntry:
    """Save the learner's text for a prompt (new or edited). The lesson is complete once
    every prompt has an answer: then ``completed`` is recorded, before that ``attempted``
    (once per prompt), which keeps the lesson in progress."""
    if prompt_id not in {p.get("id") for p in prompts(lesson)}:
        raise ReflectionError("unknown prompt")
    text = (text or "").strip()
    if not text:
        raise ReflectionError("empty")
    if len(text) > MAX_LENGTH:
        raise ReflectionError("too long")
    now = utcnow()
    # One entry per learner and prompt (a unique key): created if missing and locked, in one
    # statement, so that saves at the same moment (two tabs, a double click) update the same
    # row one after the other instead of both inserting; the last one wins.
    entry = locked_row(ReflectionEntry,
                       {"user_id": user.id, "lesson_id": lesson.id, "prompt_id": prompt_id},
                       {"text": "", "shared": False, "created_at": now, "updated_at": now})
    entry.text = text
    entry.updated_at = now
    db.session.flush()
    if answered(user.id, lesson) >= len(prompts(lesson)):
        record_progress(user, lesson, "completed")  # commits the entry too; idempotent
    else:
        record_progress(user, lesson, "attempted", key=f"reflection-prompt:{prompt_id}")
    return entry


def answered(user_id: int, lesson: Any) -> int:
    """How many of the lesson's current prompts the learner has answered."""
    from sqlalchemy import func

    ids = [p.get("id") for p in prompts(lesson)]
    return db.session.scalar(select(func.count()).select_from(ReflectionEntry).where(
        ReflectionEntry.user_id == user_id, ReflectionEntry.lesson_id == lesson.id,
        ReflectionEntry.prompt_id.in_(ids), ReflectionEntry.text != "")) or 0


def set_shared(entry: ReflectionEntry, shared: bool) -> None:
    """Share the entry with the learner's mentor(s), or take it back."""
    entry.shared = shared
    entry.shared_at = utcnow() if shared else None
    if shared:  # the first share of an entry is a learning record (its text never is)
        lesson = entry.lesson
        note_record("reflection_shared", entry.user_id, key=f"reflection_shared:{entry.id}",
                    object_type="lesson", object_id=lesson.object_id, object_name=lesson.title,
                    lesson_id=lesson.id, course_id=lesson.course_id,
                    registration=registration_for(entry.user_id, lesson.course_id),
                    at=entry.shared_at)
    db.session.commit()
    announce_records()


def entries_of(user_id: int, lesson_id: int | None = None, shared_only: bool = False
               ) -> list[ReflectionEntry]:
    """A learner's entries (optionally one lesson's, or only the shared ones), newest first."""
    stmt = select(ReflectionEntry).where(ReflectionEntry.user_id == user_id)
    if lesson_id is not None:
        stmt = stmt.where(ReflectionEntry.lesson_id == lesson_id)
    if shared_only:
        stmt = stmt.where(ReflectionEntry.shared.is_(True))
    return list(db.session.scalars(stmt.order_by(ReflectionEntry.updated_at.desc(),
                                                 ReflectionEntry.id.desc())))


def prompt_text(entry: ReflectionEntry) -> str:
    found = [p.get("text", "") for p in prompts(entry.lesson) if p.get("id") == entry.prompt_id]
    return found[0] if found else entry.prompt_id


def shared_counts(viewer: Any, learner_ids: list[int]) -> dict[int, int]:
    """Entries each learner shared, for the learners ``viewer`` mentors (one query)."""
    from sqlalchemy import func

    from lms.models.accounts import MentorAssignment

    rows = db.session.execute(
        select(ReflectionEntry.user_id, func.count())
        .join(MentorAssignment, MentorAssignment.learner_id == ReflectionEntry.user_id)
        .where(MentorAssignment.mentor_id == viewer.id,
               ReflectionEntry.user_id.in_(learner_ids), ReflectionEntry.shared.is_(True))
        .group_by(ReflectionEntry.user_id))
    return {learner_id: count for learner_id, count in rows}


def personal_data(user: Any) -> dict[str, list[dict]]:
    """Every entry the person wrote, shared or not."""
    return {"entries": [
        {"lesson": entry.lesson.object_id, "prompt": prompt_text(entry), "text": entry.text,
         "shared": entry.shared, "shared_at": entry.shared_at, "created_at": entry.created_at,
         "updated_at": entry.updated_at} for entry in entries_of(user.id)]}


def erase_personal_data(user: Any) -> None:
    """What the person wrote has no aggregate meaning: the entries go."""
    from sqlalchemy import delete

    db.session.execute(delete(ReflectionEntry).where(ReflectionEntry.user_id == user.id))
