"""What the learner pages read, each in a fixed number of queries whatever the data size.

- ``course_page``: 2 queries (course with enrolments and state; lessons with states), and a
  third for what locks the course when it has prerequisites or a track enrolment holds it.
- ``lesson_page``: the same (the open lesson's text is fetched in the lesson list query);
  with ``versions=True`` the first query also returns what a conditional GET compares
  (``lms.readmodels.versions``), so the page's ETag costs no query of its own.
- ``home_overview``: 3 queries (enrolments with states; their tracks' courses; lessons of
  the course to continue).
- ``track_page``: 2 queries. (The catalogue: ``lms.readmodels.catalogue``.)
- A course page whose course names competences asks one more for their titles
  (``CourseView.competences``); sections come with the course and its lessons (no query).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from typing import Any

from sqlalchemy import JSON, and_, bindparam, case, null, or_, select, type_coerce
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value

from lms.extensions import db
from lms.models.content import Competence, CompetenceFramework, Course, Lesson, Track, TrackCourse
from lms.models.progress import (CourseState, Credential, Enrolment, Exemption, LessonState,
                                 TrackState)
from lms.tracking.dates import validity_status
from lms.readmodels.steps import CourseStep, StepSums, next_step, track_steps
from lms.tracking.state import CourseCount


def _enrolled_in_course(user_id: int):
    """Join condition: an enrolment in the course itself or in a track holding it."""
    return and_(Enrolment.user_id == user_id, or_(
        Enrolment.course_id == Course.id,
        Enrolment.track_id.in_(select(TrackCourse.track_id)
                               .where(TrackCourse.course_id == Course.id)
                               .scalar_subquery())))


# --- course and lesson -------------------------------------------------------------------


@dataclass
class LessonItem:
    lesson: Lesson
    status: str  # not_started | in_progress | completed
    score: float | None = None

    @property
    def done(self) -> bool:
        return self.status == "completed"


@dataclass
class CourseView:
    course: Course
    lessons: list[LessonItem]
    enrolments: list[Enrolment]
    state: CourseState | None
    current: LessonItem | None = None  # the open lesson (lesson page)
    locks: list = field(default_factory=list)  # Prerequisites still to finish (locked)
    versions: tuple | None = None  # lms.readmodels.versions, when asked for

    @property
    def locked(self) -> bool:
        return bool(self.locks)

    @property
    def enrolled(self) -> bool:
        return bool(self.enrolments)

    @property
    def count(self) -> CourseCount:
        """Counted now from the lessons on the page, so content edits show at once."""
        return CourseCount(
            lessons=len(self.lessons),
            required=sum(1 for item in self.lessons if item.lesson.required),
            done=sum(1 for item in self.lessons if item.done),
            done_required=sum(1 for item in self.lessons if item.done and item.lesson.required))

    @property
    def percent(self) -> int:
        return self.count.percent

    @property
    def completed_at(self):
        return self.state.completed_at if self.state else None

    @property
    def minutes_left(self) -> int:
        counted = [i for i in self.lessons if i.lesson.required] or self.lessons
        return sum(i.lesson.minutes or 0 for i in counted if not i.done)

    @property
    def previous(self) -> LessonItem | None:
        index = self.lessons.index(self.current)
        return self.lessons[index - 1] if index > 0 else None

    @property
    def next(self) -> LessonItem | None:
        index = self.lessons.index(self.current)
        return self.lessons[index + 1] if index + 1 < len(self.lessons) else None

    @cached_property
    def section_starts(self) -> dict[int, list[dict]]:
        """Lesson id → the sections (``Course.sections`` entries, outermost first) whose first
        lesson it is: where the course page puts their headings. No query; worked out once
        (the course page asks it for every lesson)."""
        return section_starts(self.course.sections or [], [item.lesson for item in self.lessons])

    @property
    def current_section(self) -> str:
        """The open lesson's section as "Chapter › Section" ("" outside any section)."""
        if self.current is None or not self.current.lesson.section:
            return ""
        titles = {s["key"]: s["title"] for s in self.course.sections or []}
        key, parts = self.current.lesson.section, []
        while key:
            if key in titles:
                parts.insert(0, titles[key])
            key = key.rpartition("/")[0]
        return " › ".join(parts)

    @property
    def audience_labels(self) -> list[str]:
        """Whom the course is for, as role names in the reader's language."""
        from lms.accounts.people import role_label

        return [role_label(role) for role in self.course.audience or []]

    @cached_property
    def competences(self) -> list[str]:
        """The course's competences by title ("Pedagogisch bekwaam (Bekwaamheidseisen…)"), as
        written; one query, asked only when the course names any."""
        return competence_titles(self.course.competences or [])


def section_starts(sections: list[dict], lessons: list[Lesson]) -> dict[int, list[dict]]:
    """Lesson id → the sections that open at that lesson, outermost first (a section whose
    lessons are all archived, and that has no live sub-section, opens nowhere)."""
    by_key = {s["key"]: s for s in sections}
    opened: set[str] = set()
    starts: dict[int, list[dict]] = {}
    for lesson in lessons:
        chain, key = [], lesson.section or ""
        while key:
            if key in by_key and key not in opened:
                chain.insert(0, by_key[key])
                opened.add(key)
            key = key.rpartition("/")[0]
        if chain:
            starts[lesson.id] = chain
    return starts


def competence_titles(codes: list[str]) -> list[str]:
    """Titles for ``framework:code`` competences, with their framework (one query); a code
    that is not (or no longer) in its framework is shown as written."""
    if not codes:
        return []
    frameworks = {code.partition(":")[0] for code in codes}
    found = {f"{slug}:{code}": f"{title} ({framework})" for slug, code, title, framework in
             db.session.execute(
                 select(CompetenceFramework.slug, Competence.code, Competence.title,
                        CompetenceFramework.title)
                 .join(Competence, Competence.framework_id == CompetenceFramework.id)
                 .where(CompetenceFramework.slug.in_(frameworks)))}
    return [found.get(code, code) for code in codes]


def course_view(user_id: int, course_slug: str, lesson_slug: str | None = None, *,
                versions: bool = False) -> CourseView | None:
    """A course with the learner's lesson states; with ``lesson_slug`` also that lesson's text
    and settings (loaded in the same query); with ``versions`` also what the page depends on
    (``lms.readmodels.versions``, in the first query). None when the course does not exist
    or is archived, or the lesson is not in it."""
    rows = db.session.execute(_course_statement(versions, lesson_slug is not None), {
        "user_id": user_id, "course_slug": course_slug}).all()
    if not rows:
        return None
    course, state = rows[0][0], rows[0][2]
    page_versions = tuple(rows[0][3:]) if versions else None
    enrolments = [row[1] for row in rows if row[1] is not None]
    lesson_rows = db.session.execute(_lessons_statement(), {
        "user_id": user_id, "course_id": course.id, "lesson_slug": lesson_slug or ""}).all()
    items, current = [], None
    for lesson, status, score, html, settings in lesson_rows:
        set_committed_value(lesson, "course", course)
        item = LessonItem(lesson, status or "not_started", score)
        if lesson.slug == lesson_slug:
            set_committed_value(lesson, "html", html or "")
            set_committed_value(lesson, "settings", settings or {})
            current = item
        items.append(item)
    if lesson_slug is not None and current is None:
        return None
    set_committed_value(course, "lessons", [item.lesson for item in items])
    locks = []
    if ((state is None or state.status != "completed")
            and (course.prerequisites or any(e.track_id for e in enrolments))):
        from lms.tracking.prerequisites import course_locks

        locks = course_locks(user_id, course)
    return CourseView(course, items, enrolments, state, current, locks, page_versions)


@cache
def _course_statement(versions: bool, lesson: bool):
    """``course_view``'s first query, built once per shape (every course and lesson page asks
    it): the course with the learner's enrolments and state (and the page's versions)."""
    from lms.readmodels.versions import version_columns

    user_id = bindparam("user_id")
    return (select(Course, Enrolment, CourseState, *(version_columns(user_id) if versions else ()))
            .select_from(Course)
            .outerjoin(Enrolment, _enrolled_in_course(user_id))
            .outerjoin(CourseState, and_(CourseState.course_id == Course.id,
                                         CourseState.user_id == user_id))
            .where(Course.slug == bindparam("course_slug"), Course.archived.is_(False))
            .options(*([defer(Course.intro_html)] if lesson else [])))


@cache
def _lessons_statement():
    """``course_view``'s second query, built once: the lessons with the learner's states, and
    the open lesson's text and settings."""
    is_open = Lesson.slug == bindparam("lesson_slug")
    return (select(Lesson, LessonState.status, LessonState.score,
                   case((is_open, Lesson.html), else_=null()),
                   type_coerce(case((is_open, Lesson.settings), else_=null()), JSON))
            .select_from(Lesson)
            .outerjoin(LessonState, and_(LessonState.lesson_id == Lesson.id,
                                         LessonState.user_id == bindparam("user_id")))
            .where(Lesson.course_id == bindparam("course_id"), Lesson.archived.is_(False))
            .order_by(Lesson.position, Lesson.id)
            .options(defer(Lesson.html), defer(Lesson.settings)))


# --- tracks --------------------------------------------------------------------------------


@dataclass
class TrackView(StepSums):
    track: Track
    enrolment: Enrolment | None
    state: TrackState | None
    credential: Credential | None
    steps: list[CourseStep]
    today: date

    @property
    def percent(self) -> int:
        """The required courses' share of lessons done, as on Mijn leerpad."""
        if self.completed:
            return 100
        return self.state.percent if self.state else 0

    @property
    def late(self) -> bool:
        return bool(self.enrolment and self.enrolment.deadline and not self.completed
                    and self.enrolment.deadline < self.today)

    @property
    def completed(self) -> bool:
        return bool(self.state and self.state.completed_at)

    @property
    def credential_status(self) -> str | None:
        if self.credential is None:
            return None
        return validity_status(self.credential.expires_at, self.today)

    @property
    def next_step(self) -> CourseStep | None:
        return next_step(self.steps)


def _track_course_rows(user_id: int, track_ids: list[int]):
    return db.session.execute(_track_courses_statement(),
                              {"user_id": user_id, "track_ids": list(track_ids)}).all()


@cache
def _track_courses_statement():
    """Built once: the courses of some tracks with the learner's states and exemptions."""
    user_id = bindparam("user_id")
    return (
        select(TrackCourse.track_id, TrackCourse.course_id, Course.slug, Course.title,
               TrackCourse.required, TrackCourse.after, CourseState.status, CourseState.percent,
               Exemption.reason, Course.hours)
        .join(Course, Course.id == TrackCourse.course_id)
        .outerjoin(CourseState, and_(CourseState.course_id == TrackCourse.course_id,
                                     CourseState.user_id == user_id))
        .outerjoin(Exemption, and_(Exemption.course_id == TrackCourse.course_id,
                                   Exemption.track_id == TrackCourse.track_id,
                                   Exemption.user_id == user_id))
        .where(TrackCourse.track_id.in_(bindparam("track_ids", expanding=True)))
        .order_by(TrackCourse.track_id, TrackCourse.position, TrackCourse.id))


def _steps_by_track(rows) -> dict[int, list[CourseStep]]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.track_id, []).append(row)
    found = {}
    for track_id, group in grouped.items():
        found[track_id] = track_steps(
            [(r.course_id, r.slug, r.title, bool(r.required), r.after or [], r.hours)
             for r in group],
            {r.course_id: (r.status, r.percent or 0) for r in group if r.status},
            {r.course_id: r.reason for r in group if r.reason is not None})
    return found


def track_view(user_id: int, slug: str, today: date) -> TrackView | None:
    """A track laid out for one learner: steps, locks, deadline and credential."""
    row = db.session.execute(
        select(Track, Enrolment, TrackState, Credential)
        .select_from(Track)
        .outerjoin(Enrolment, and_(Enrolment.track_id == Track.id, Enrolment.user_id == user_id))
        .outerjoin(TrackState, and_(TrackState.track_id == Track.id,
                                    TrackState.user_id == user_id))
        .outerjoin(Credential, and_(Credential.track_id == Track.id,
                                    Credential.user_id == user_id))
        .where(Track.slug == slug, Track.archived.is_(False))
    ).first()
    if row is None:
        return None
    track, enrolment, state, credential = row
    steps = _steps_by_track(_track_course_rows(user_id, [track.id])).get(track.id, [])
    return TrackView(track, enrolment, state, credential, steps, today)


# --- home ------------------------------------------------------------------------------------


@dataclass
class EnrolmentItem:
    enrolment: Enrolment
    course: Course | None
    track: Track | None
    course_state: CourseState | None
    track_state: TrackState | None
    steps: list[CourseStep] = field(default_factory=list)

    @property
    def title(self) -> str:
        return (self.course or self.track).title

    @property
    def percent(self) -> int:
        state = self.course_state or self.track_state
        return state.percent if state else 0

    @property
    def completed(self) -> bool:
        state = self.course_state or self.track_state
        return bool(state and state.completed_at)


@dataclass
class ContinueAt:
    course_slug: str
    course_title: str
    lesson_slug: str
    lesson_title: str
    started: bool  # False: the first lesson of a course not yet begun


@dataclass
class HomeOverview:
    enrolments: list[EnrolmentItem]
    continue_at: ContinueAt | None
    today: date


def home_overview(user_id: int, today: date) -> HomeOverview:
    """Enrolled courses and tracks with progress, and where to continue: the most recent
    lesson in progress (or the next one after the most recently completed), else the next
    lesson of the most recent unfinished enrolment."""
    rows = db.session.execute(_enrolments_statement(), {"user_id": user_id}).all()
    items = [EnrolmentItem(*row) for row in rows]
    track_ids = [item.track.id for item in items if item.track is not None]
    steps = _steps_by_track(_track_course_rows(user_id, track_ids))
    fallback = None
    for item in items:
        if item.track is not None:
            item.steps = steps.get(item.track.id, [])
        if fallback is None and not item.completed:
            if item.course is not None:
                fallback = item.course.id
            else:
                step = next_step(item.steps)
                fallback = step.course_id if step else None
    return HomeOverview(items, _continue_at(user_id, fallback), today)


@cache
def _enrolments_statement():
    """Built once: the learner's live enrolments with their courses, tracks and states."""
    user_id = bindparam("user_id")
    return (
        select(Enrolment, Course, Track, CourseState, TrackState)
        .select_from(Enrolment)
        .outerjoin(Course, Course.id == Enrolment.course_id)
        .outerjoin(Track, Track.id == Enrolment.track_id)
        .outerjoin(CourseState, and_(CourseState.course_id == Enrolment.course_id,
                                     CourseState.user_id == user_id))
        .outerjoin(TrackState, and_(TrackState.track_id == Enrolment.track_id,
                                    TrackState.user_id == user_id))
        .where(Enrolment.user_id == user_id, Enrolment.status != "withdrawn",
               or_(Course.archived.is_(False), Track.archived.is_(False)))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        .options(defer(Course.intro_html), defer(Track.intro_html)))


def _continue_at(user_id: int, fallback_course_id: int | None) -> ContinueAt | None:
    rows = db.session.execute(_continue_statement(), {
        "user_id": user_id, "fallback": fallback_course_id or -1}).all()
    recent = [r for r in rows if r.latest]
    touched = [r for r in recent if r.updated_at is not None]
    if touched:
        last = max(touched, key=lambda r: r.updated_at)
        if last.status != "completed":
            return _at(last, True)
        after = recent[recent.index(last) + 1:]
        for row in after + recent:
            if row.status != "completed":
                return _at(row, True)
    for row in rows:
        if row.course_id == fallback_course_id and row.status != "completed":
            return _at(row, row.status is not None)
    return None


@cache
def _continue_statement():
    """Built once: the lessons of the course the learner last worked in and of the fallback
    course (-1: none), with their states."""
    user_id = bindparam("user_id")
    latest_course = (
        select(LessonState.course_id).where(LessonState.user_id == user_id)
        .order_by(LessonState.updated_at.desc(), LessonState.id.desc()).limit(1)
        .scalar_subquery())
    return (
        select(Lesson.id, Lesson.slug, Lesson.title, Lesson.course_id, Course.slug.label("c_slug"),
               Course.title.label("c_title"), LessonState.status, LessonState.updated_at,
               (Lesson.course_id == latest_course).label("latest"))
        .join(Course, Course.id == Lesson.course_id)
        .outerjoin(LessonState, and_(LessonState.lesson_id == Lesson.id,
                                     LessonState.user_id == user_id))
        .where(or_(Lesson.course_id == latest_course,
                   Lesson.course_id == bindparam("fallback")),
               Lesson.archived.is_(False), Course.archived.is_(False))
        .order_by(Lesson.position, Lesson.id))


def _at(row: Any, started: bool) -> ContinueAt:
    return ContinueAt(row.c_slug, row.c_title, row.slug, row.title, started)
