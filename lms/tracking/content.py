"""Content edits move stored progress: a lesson added to a course lowers its percentages, the
last open lesson archived completes it, a course added to a track moves the track.

Whoever writes lessons, courses or track courses (the importer, a test's builder, a script)
calls ``content_changed`` in the same transaction; nothing watches the session for it.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, case, func, select

from lms.extensions import db
from lms.models.base import utcnow
from lms.models.content import Lesson
from lms.models.progress import CourseState, LessonState, TrackState
from lms.tracking.state import (CourseCount, completed, course_completed,
                                enrolled_tracks_with, refresh_track_state, set_course_values)


def content_changed(*, courses: Iterable[int] = (), tracks: Iterable[int] = (),
                    at: datetime | None = None) -> None:
    """Recount every learner's stored state after an edit, in the caller's transaction.

    :param courses: ids of courses whose lessons were added, archived, restored or made
        (not) required; the tracks holding them follow.
    :param tracks: ids of tracks whose courses were added, removed or made (not) required.
    Completions are kept (a course completed before a lesson was added stays completed).
    """
    db.session.flush()
    at = at or utcnow()
    refresh_course_states(courses, at)
    refresh_track_states(tracks, at)


def refresh_course_states(course_ids: set[int] | list[int], at: datetime | None = None) -> int:
    """Recount every learner's state in these courses after a content change (lessons added,
    archived or made optional). Completions are kept. Returns the number of rows changed."""
    course_ids = sorted(set(course_ids))
    if not course_ids:
        return 0
    at = at or utcnow()
    totals = {row[0]: (int(row[1]), int(row[2])) for row in db.session.execute(
        select(Lesson.course_id, func.count(Lesson.id),
               func.coalesce(func.sum(case((Lesson.required, 1), else_=0)), 0))
        .where(Lesson.course_id.in_(course_ids), Lesson.archived.is_(False))
        .group_by(Lesson.course_id))}
    done = {(row[0], row[1]): (int(row[2]), int(row[3])) for row in db.session.execute(
        select(LessonState.user_id, Lesson.course_id,
               func.coalesce(func.sum(case((completed(), 1), else_=0)), 0),
               func.coalesce(func.sum(case((and_(completed(), Lesson.required), 1), else_=0)), 0))
        .join(Lesson, Lesson.id == LessonState.lesson_id)
        .where(Lesson.course_id.in_(course_ids), Lesson.archived.is_(False))
        .group_by(LessonState.user_id, Lesson.course_id))}
    changed, newly = [], []
    for state in db.session.scalars(
            select(CourseState).where(CourseState.course_id.in_(course_ids))
            .execution_options(populate_existing=True)):
        lessons, required = totals.get(state.course_id, (0, 0))
        got, got_required = done.get((state.user_id, state.course_id), (0, 0))
        before = (state.required_lessons, state.completed_lessons, state.percent, state.status)
        if set_course_values(state, CourseCount(lessons, required, got, got_required),
                              state.status != "not_started", at):
            newly.append((state.user_id, state.course_id))
        if before != (state.required_lessons, state.completed_lessons, state.percent, state.status):
            changed.append(state)
    db.session.flush()
    for user_id, course_id in newly:
        course_completed(user_id, course_id, at)
    completed_now = set(newly)
    for state in changed:  # percentages moved: so do the tracks holding these courses
        if (state.user_id, state.course_id) not in completed_now:
            for track_id in enrolled_tracks_with(state.user_id, state.course_id):
                refresh_track_state(state.user_id, track_id, at)
    return len(changed)


def refresh_track_states(track_ids: set[int] | list[int], at: datetime | None = None) -> None:
    """Recount every enrolled learner's state in these tracks (after their courses changed)."""
    track_ids = sorted(set(track_ids))
    if not track_ids:
        return
    at = at or utcnow()
    pairs = db.session.execute(
        select(TrackState.user_id, TrackState.track_id)
        .where(TrackState.track_id.in_(track_ids))
        .order_by(TrackState.user_id, TrackState.track_id)).all()
    for user_id, track_id in pairs:
        refresh_track_state(user_id, track_id, at)
