"""Derived state: lesson, course and track state rows kept in step with the event log.

Every function here runs inside the caller's transaction. Rows are created with
``INSERT ... ON CONFLICT DO NOTHING`` and then locked (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite has one writer at a time), so concurrent recorders never lose an update.
Content edits move states too: ``lms.tracking.content.content_changed``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select, update

from lms.clock import local_date
from lms.extensions import db
from lms.models.base import utcnow
from lms.models.content import Course, Lesson, Track, TrackCourse
from lms.models.progress import (CourseState, Credential, Enrolment, Exemption, LessonState,
                                 TrackState)
from lms.tracking.completion import ATTEMPT_VERBS
from lms.tracking.dates import add_years

DONE = ("completed", "exempt")


# --- SQL helpers ---------------------------------------------------------------------------


def insert_ignoring_conflicts(model: Any, values: dict, conflict: list[str] | None = None):
    """``INSERT ... ON CONFLICT DO NOTHING`` for SQLite and PostgreSQL."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"unsupported database {name!r}")
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)


def locked_row(model: Any, keys: dict, extra: dict | None = None) -> Any:
    """The row with these unique ``keys``, created if missing, locked for this transaction."""
    db.session.execute(insert_ignoring_conflicts(model, {**keys, **(extra or {})}, list(keys)))
    return db.session.execute(
        select(model).filter_by(**keys).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


# --- lessons ---------------------------------------------------------------------------------


def result_score(result: dict | None) -> float | None:
    """The score in an xAPI-like result: ``{"score": 0.8}`` or ``{"score": {"scaled": .8}}``
    (``raw`` is used when there is no ``scaled``)."""
    if not result or "score" not in result:
        return None
    score = result["score"]
    if isinstance(score, dict):
        score = score.get("scaled", score.get("raw"))
    if isinstance(score, bool) or not isinstance(score, (int, float)):
        return None
    return float(score)


def apply_event(state: Any, verb: str, result: dict | None, at: datetime) -> None:
    """Fold one new event into a lesson state (completion is decided separately)."""
    state.verbs = sorted(set(state.verbs or []) | {verb})
    state.last_verb = verb
    if verb in ATTEMPT_VERBS:
        state.attempts = (state.attempts or 0) + 1
    score = result_score(result)
    if score is not None:
        state.score = score
    if state.status != "completed":
        state.status = "in_progress"
    if state.updated_at is None or at > state.updated_at:
        state.updated_at = at


# --- courses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseCount:
    """A course's active lessons and how many of them one learner completed."""

    lessons: int
    required: int
    done: int
    done_required: int

    @property
    def needed(self) -> int:
        # A course without required lessons is complete when all its lessons are.
        return self.required or self.lessons

    @property
    def got(self) -> int:
        return self.done_required if self.required else self.done

    @property
    def percent(self) -> int:
        return (100 * self.got) // self.needed if self.needed else 0

    @property
    def complete(self) -> bool:
        return self.needed > 0 and self.got >= self.needed


def completed():
    """SQL: a lesson state that is completed."""
    return LessonState.status == "completed"


def course_count(user_id: int, course_id: int) -> tuple[CourseCount, int]:
    """One learner's count in one course, and how many lesson states they have there."""
    row = db.session.execute(
        select(
            func.count(Lesson.id),
            func.coalesce(func.sum(case((Lesson.required, 1), else_=0)), 0),
            func.coalesce(func.sum(case((completed(), 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(completed(), Lesson.required), 1), else_=0)), 0),
            func.count(LessonState.id),
        )
        .select_from(Lesson)
        .outerjoin(LessonState, and_(LessonState.lesson_id == Lesson.id,
                                     LessonState.user_id == user_id))
        .where(Lesson.course_id == course_id, Lesson.archived.is_(False))
    ).one()
    return CourseCount(int(row[0]), int(row[1]), int(row[2]), int(row[3])), int(row[4])


def set_course_values(state: Any, count: CourseCount, started: bool, at: datetime) -> bool:
    """Update a course state from a count; True when the course became completed now."""
    state.required_lessons = count.needed
    state.completed_lessons = count.got
    state.percent = count.percent
    newly = False
    if state.completed_at is None and count.complete:
        state.completed_at = at
        newly = True
    if state.completed_at is not None:
        state.status = "completed"
    elif started or count.got:
        state.status = "in_progress"
    else:
        state.status = "not_started"
    return newly


def refresh_course_state(user_id: int, course_id: int, at: datetime,
                         last_lesson_id: int | None = None) -> CourseState:
    """Recount one learner's course state (locked); completing it refreshes their tracks."""
    state = locked_row(CourseState, {"user_id": user_id, "course_id": course_id},
                       {"updated_at": at})
    count, states = course_count(user_id, course_id)
    before = state.percent
    newly = set_course_values(state, count, states > 0, at)
    if last_lesson_id is not None:
        state.last_lesson_id = last_lesson_id
    if at > state.updated_at:
        state.updated_at = at
    db.session.flush()
    if newly:
        course_completed(user_id, course_id, at)
    elif state.percent != before:  # the tracks holding this course move with it
        for track_id in enrolled_tracks_with(user_id, course_id):
            refresh_track_state(user_id, track_id, at)
    return state


def course_completed(user_id: int, course_id: int, at: datetime) -> None:
    """A learner finished a course: close its enrolment and recount tracks holding it."""
    from lms.tracking.record import registration_for
    from lms.tracking.records import note_record

    course = db.session.get(Course, course_id)
    note_record("course_completed", user_id, key=f"course_completed:{user_id}:{course_id}",
                object_type="course", object_id=course.slug, object_name=course.title,
                course_id=course_id, registration=registration_for(user_id, course_id),
                result={"completion": True}, at=at)
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id,
               Enrolment.status == "active")
        .values(status="completed", completed_at=at)
        .execution_options(synchronize_session=False))
    for track_id in enrolled_tracks_with(user_id, course_id):
        refresh_track_state(user_id, track_id, at)


def enrolled_tracks_with(user_id: int, course_id: int) -> list[int]:
    """Tracks the learner is enrolled in that hold this course."""
    return list(db.session.scalars(
        select(Enrolment.track_id).where(
            Enrolment.user_id == user_id,
            Enrolment.track_id.in_(select(TrackCourse.track_id)
                                   .where(TrackCourse.course_id == course_id)))
        .order_by(Enrolment.track_id)))


# --- tracks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackCount:
    required: int
    done: int
    started: bool
    percent: int = 0  # the mean of the considered courses' percentages (done courses: 100)

    @property
    def complete(self) -> bool:
        return self.required > 0 and self.done >= self.required


def count_track(rows: list[tuple]) -> TrackCount:
    """Count (required, course status, exempt[, course percent]) rows: required courses
    completed or exempted, and progress as the mean of their percentages, so a learner
    half-way through the only course of a track is at 50%, not 0%. A track of electives
    only is complete when all of them are."""
    considered = [r for r in rows if r[0]] or rows
    done = sum(1 for r in considered if r[2] or r[1] == "completed")
    started = any(r[2] or r[1] in ("in_progress", "completed") for r in rows)
    shares = [100 if (r[2] or r[1] == "completed") else int((r[3] if len(r) > 3 else 0) or 0)
              for r in considered]
    percent = sum(shares) // len(shares) if shares else 0
    return TrackCount(len(considered), done, started, percent)


def refresh_track_state(user_id: int, track_id: int, at: datetime) -> TrackState:
    """Recount one learner's track state (locked); on completion issue the credential."""
    state = locked_row(TrackState, {"user_id": user_id, "track_id": track_id}, {"updated_at": at})
    rows = db.session.execute(
        select(TrackCourse.required, CourseState.status, Exemption.id, CourseState.percent)
        .select_from(TrackCourse)
        .outerjoin(CourseState, and_(CourseState.course_id == TrackCourse.course_id,
                                     CourseState.user_id == user_id))
        .outerjoin(Exemption, and_(Exemption.course_id == TrackCourse.course_id,
                                   Exemption.track_id == TrackCourse.track_id,
                                   Exemption.user_id == user_id))
        .where(TrackCourse.track_id == track_id)
    ).all()
    count = count_track([(bool(r[0]), r[1], r[2] is not None, r[3]) for r in rows])
    state.required_courses = count.required
    state.done_courses = count.done
    state.percent = count.percent
    newly = state.completed_at is None and count.complete
    if newly:
        state.completed_at = at
    state.status = ("completed" if state.completed_at else
                    "in_progress" if count.started else "not_started")
    if at > state.updated_at:
        state.updated_at = at
    db.session.flush()
    if newly:
        track_completed(user_id, track_id, at)
    return state


def track_completed(user_id: int, track_id: int, at: datetime) -> None:
    """Close the track enrolment and issue the track's credential (once)."""
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == user_id, Enrolment.track_id == track_id,
               Enrolment.status == "active")
        .values(status="completed", completed_at=at)
        .execution_options(synchronize_session=False))
    from lms.tracking.records import note_record, track_registration

    track = db.session.get(Track, track_id)
    if track is None:
        return
    registration = track_registration(user_id, track_id)
    note_record("track_completed", user_id, key=f"track_completed:{user_id}:{track_id}",
                object_type="track", object_id=track.slug, object_name=track.title,
                track_id=track_id, registration=registration, result={"completion": True},
                at=at)
    if not track.credential_name:
        return
    expires = (add_years(local_date(at), track.credential_validity_years)
               if track.credential_validity_years else None)
    credential_id = db.session.execute(insert_ignoring_conflicts(
        Credential,
        {"user_id": user_id, "track_id": track_id, "name": track.credential_name,
         "issued_at": at, "expires_at": expires},
        ["user_id", "track_id"]).returning(Credential.id)).scalar()
    if credential_id is not None:
        note_record("credential_issued", user_id, key=f"credential_issued:{credential_id}",
                    object_type="credential", object_id=str(credential_id),
                    object_name=track.credential_name, track_id=track_id,
                    registration=registration,
                    result={"expires": expires.isoformat()} if expires else {}, at=at)
