"""Locked courses and taking a lesson: one rule for every page, the API and the plugins.

A course is **locked** for a learner while it is not completed and either

- one of the course's own ``prerequisites`` (course front matter) is neither completed nor
  exempted, or
- a track the learner is enrolled in holds it with ``after:`` courses not yet done
  (completed or exempted in that track) — exactly what the track page shows.

``start_lesson(user, lesson)`` is what every write of a learner's own progress goes through
(marking done, a quiz attempt, a reflection, a hand-in, ``POST /api/v1/progress``): it
refuses a locked course (``CourseLocked``, naming what to finish first) and enrols the
learner in the course when no enrolment covers it, so no work is done outside an enrolment.
Pages only read: a lesson page outside an enrolment explains that taking the lesson enrols.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, literal, null, or_, select, union_all
from sqlalchemy import JSON, Boolean, Integer, String

from lms.extensions import db
from lms.models.content import Course, Track, TrackCourse
from lms.models.progress import CourseState, Enrolment, Exemption


@dataclass(frozen=True)
class Prerequisite:
    """A course to finish first; ``track`` names the track that asks it (None: the course)."""

    slug: str
    title: str
    track: str | None = None


class CourseLocked(Exception):
    """The course waits for other courses; ``waiting_for`` says which."""

    def __init__(self, course: Any, waiting_for: list[Prerequisite]):
        super().__init__(f"course {course.slug!r} is locked until "
                         + ", ".join(p.slug for p in waiting_for) + " are done")
        self.course = course
        self.waiting_for = waiting_for


def _rows(user_id: int, course: Any):
    """One query: the courses of the learner's tracks that hold ``course`` (with states and
    exemptions), the course's own prerequisites, and the course itself."""
    return db.session.execute(_locks_statement(), {
        "user_id": user_id, "course_id": course.id,
        "prerequisites": list(course.prerequisites or [])}).all()


@cache
def _locks_statement():
    """Built once (every lesson and course page asks it): ``_rows``'s query with its user,
    course and prerequisites as parameters."""
    user_id, course_id = bindparam("user_id"), bindparam("course_id")
    in_tracks = (
        select(literal("track").label("kind"), TrackCourse.track_id.label("track_id"),
               Track.title.label("track_title"), TrackCourse.course_id.label("course_id"),
               Course.slug.label("slug"), Course.title.label("title"),
               TrackCourse.required.label("required"), TrackCourse.after.label("after"),
               TrackCourse.position.label("position"), CourseState.status.label("status"),
               case((Exemption.id.is_not(None), True), else_=False).label("exempt"))
        .join(Course, Course.id == TrackCourse.course_id)
        .join(Track, Track.id == TrackCourse.track_id)
        .join(Enrolment, and_(Enrolment.track_id == TrackCourse.track_id,
                              Enrolment.user_id == user_id, Enrolment.status != "withdrawn"))
        .outerjoin(CourseState, and_(CourseState.course_id == TrackCourse.course_id,
                                     CourseState.user_id == user_id))
        .outerjoin(Exemption, and_(Exemption.course_id == TrackCourse.course_id,
                                   Exemption.track_id == TrackCourse.track_id,
                                   Exemption.user_id == user_id))
        .where(TrackCourse.track_id.in_(select(TrackCourse.track_id)
                                        .where(TrackCourse.course_id == course_id))))
    any_exemption = exists(select(Exemption.id).where(Exemption.course_id == Course.id,
                                                      Exemption.user_id == user_id))
    own = (
        select(case((Course.id == course_id, literal("self")), else_=literal("prerequisite")),
               null().cast(Integer), null().cast(String), Course.id, Course.slug, Course.title,
               literal(True, Boolean), null().cast(JSON), literal(0), CourseState.status,
               case((any_exemption, True), else_=False))
        .outerjoin(CourseState, and_(CourseState.course_id == Course.id,
                                     CourseState.user_id == user_id))
        .where(or_(Course.id == course_id,
                   and_(Course.slug.in_(bindparam("prerequisites", expanding=True)),
                        Course.archived.is_(False)))))
    return union_all(in_tracks, own)


def course_locks(user_id: int, course: Any) -> list[Prerequisite]:
    """What ``course`` waits for before this learner may take it (empty: open)."""
    rows = _rows(user_id, course)
    if any(r.kind == "self" and r.status == "completed" for r in rows):
        return []  # finished work stays open: a learner may look back at it
    waiting: list[Prerequisite] = []
    for row in rows:
        if row.kind == "prerequisite" and row.status != "completed" and not row.exempt:
            waiting.append(Prerequisite(row.slug, row.title))
    tracks: dict[int, list] = {}
    for row in rows:
        if row.kind == "track":
            tracks.setdefault(row.track_id, []).append(row)
    for group in tracks.values():
        # The track page's rule (lms.readmodels.steps.track_steps): an `after` course is done
        # when completed or exempted in this track; one the track does not hold never is.
        by_slug = {r.slug: r for r in group}
        for row in group:
            if row.course_id != course.id or row.exempt:
                continue
            for slug in row.after or []:
                found = by_slug.get(slug)
                if found is None or not (found.exempt or found.status == "completed"):
                    waiting.append(Prerequisite(slug, found.title if found else slug,
                                                row.track_title))
    unique: dict[str, Prerequisite] = {}
    for item in waiting:
        unique.setdefault(item.slug, item)
    return list(unique.values())


def start_lesson(user: Any, lesson: Any) -> bool:
    """Before recording a learner's own progress on ``lesson``: refuse a locked course
    (``CourseLocked``), and enrol them in the course when no enrolment covers it. Returns
    True when it enrolled them (commits then)."""
    from lms.tracking.record import registration_for
    from lms.tracking.tracks import enrol

    course = lesson.course
    waiting = course_locks(user.id, course)
    if waiting:
        raise CourseLocked(course, waiting)
    if registration_for(user.id, course.id) is not None:
        return False
    enrol(user, course=course)
    return True
