"""The catalogue page's read model: courses and tracks as cards, the reader's own audience
first, narrowed by search and filters, in at most four queries (five with a search):

1. live courses, 2. live tracks with their study load and number of courses (subqueries),
3. the reader's enrolments and every competence's title (one UNION), 4. the search
(``lms.search``), only when there is one.

An item is **for you** when its ``audience`` (if any) holds one of the reader's roles and its
``sectors`` (if any) hold the sector of one of their schools (or they have none): those come
first, the rest under "more in the catalogue".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, and_, cast, func, literal, null, select, union_all
from sqlalchemy.orm import defer

from lms.extensions import db
from lms.models.content import Competence, CompetenceFramework, Course, Track, TrackCourse
from lms.models.progress import Enrolment

LANGUAGES = ("nl", "en")
NLQF_LEVELS = (4, 5, 6, 7, 8)
MAX_COMPETENCES = 4  # named on a card


@dataclass(frozen=True)
class Filters:
    """What the reader narrows the catalogue to (all optional)."""

    query: str = ""
    role: str | None = None
    sector: str | None = None
    language: str | None = None
    nlqf: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.query or self.role or self.sector or self.language or self.nlqf)

    def as_args(self) -> dict[str, str]:
        """As query-string arguments (only those set)."""
        found = {"q": self.query, "role": self.role, "sector": self.sector,
                 "language": self.language, "nlqf": str(self.nlqf) if self.nlqf else None}
        return {k: v for k, v in found.items() if v}

    @classmethod
    def from_args(cls, args, roles, sectors) -> Filters:
        """Read (and bound) filters from query-string arguments; unknown values are ignored."""
        def pick(name, allowed):
            value = args.get(name) or None
            return value if value in allowed else None

        level = args.get("nlqf") or ""
        return cls(query=" ".join((args.get("q") or "").split())[:200],
                   role=pick("role", roles), sector=pick("sector", sectors),
                   language=pick("language", LANGUAGES),
                   nlqf=int(level) if level.isdigit() and int(level) in NLQF_LEVELS else None)


@dataclass
class CourseCard:
    course: Course
    enrolled: bool
    for_you: bool
    competences: list[str] = field(default_factory=list)  # titles, at most MAX_COMPETENCES
    more_competences: int = 0
    found_in: list[str] = field(default_factory=list)  # lessons whose text matched the search
    rank: float = 0.0


@dataclass
class TrackCard:
    track: Track
    enrolled: bool
    for_you: bool
    study_load: float  # hours of its required courses (all, when none is required)
    courses: int
    rank: float = 0.0


@dataclass
class Catalogue:
    filters: Filters
    courses: list[CourseCard]
    tracks: list[TrackCard]

    @property
    def searched(self) -> bool:
        return bool(self.filters.query)

    @property
    def courses_for_you(self) -> list[CourseCard]:
        return [c for c in self.courses if c.for_you]

    @property
    def other_courses(self) -> list[CourseCard]:
        return [c for c in self.courses if not c.for_you]

    @property
    def tracks_for_you(self) -> list[TrackCard]:
        return [t for t in self.tracks if t.for_you]

    @property
    def other_tracks(self) -> list[TrackCard]:
        return [t for t in self.tracks if not t.for_you]


def fits(item: Any, roles: set[str], sectors: set[str]) -> bool:
    """Whether a course or track is meant for someone with these roles and school sectors."""
    audience, item_sectors = set(item.audience or ()), set(item.sectors or ())
    return ((not audience or bool(audience & roles))
            and (not item_sectors or not sectors or bool(item_sectors & sectors)))


def _matches(item: Any, filters: Filters) -> bool:
    return ((not filters.role or not item.audience or filters.role in item.audience)
            and (not filters.sector or not item.sectors or filters.sector in item.sectors)
            and (not filters.language or item.language == filters.language)
            and (not filters.nlqf or item.nlqf == filters.nlqf))


def _tracks():
    """Live tracks with the hours of their required courses (all, when none is required)
    and their number of courses, as correlated subqueries: no query per track."""
    def load(required_only: bool):
        stmt = (select(func.coalesce(func.sum(Course.hours), 0.0))
                .select_from(TrackCourse).join(Course, Course.id == TrackCourse.course_id)
                .where(TrackCourse.track_id == Track.id, Course.archived.is_(False)))
        if required_only:
            stmt = stmt.where(TrackCourse.required.is_(True))
        return stmt.scalar_subquery()

    count = (select(func.count()).select_from(TrackCourse)
             .join(Course, Course.id == TrackCourse.course_id)
             .where(TrackCourse.track_id == Track.id, Course.archived.is_(False))
             .scalar_subquery())
    return db.session.execute(
        select(Track, load(True), load(False), count)
        .where(Track.archived.is_(False)).order_by(Track.title)
        .options(defer(Track.intro_html))).all()


def _enrolments_and_competences(user_id: int):
    """The reader's enrolments and every competence's title, as one UNION."""
    key = CompetenceFramework.slug + literal(":") + Competence.code
    enrolments = select(literal("enrolment").label("kind"), Enrolment.course_id.label("course_id"),
                        Enrolment.track_id.label("track_id"), cast(null(), String).label("key"),
                        cast(null(), String).label("title")).where(
        Enrolment.user_id == user_id, Enrolment.status != "withdrawn")
    competences = select(literal("competence"), cast(null(), Competence.id.type),
                         cast(null(), Competence.id.type), key, Competence.title).join(
        CompetenceFramework, CompetenceFramework.id == Competence.framework_id).where(
        and_(Competence.archived.is_(False), CompetenceFramework.kind != "levels"))
    return db.session.execute(union_all(enrolments, competences)).all()


def catalogue(user_id: int, filters: Filters | None = None, *, roles=(), sectors=()) -> Catalogue:
    """Live courses and tracks matching ``filters``, as cards; ``roles`` and ``sectors`` are
    the reader's (for "for you")."""
    from lms.search import search

    filters = filters or Filters()
    roles, sectors = set(roles), set(sectors)
    courses = db.session.scalars(
        select(Course).where(Course.archived.is_(False)).order_by(Course.title)
        .options(defer(Course.intro_html))).all()
    tracks = _tracks()
    enrolled_courses, enrolled_tracks, titles = set(), set(), {}
    for row in _enrolments_and_competences(user_id):
        if row.kind == "enrolment":
            if row.course_id:
                enrolled_courses.add(row.course_id)
            if row.track_id:
                enrolled_tracks.add(row.track_id)
        else:
            titles[row.key] = row.title
    hits = search(filters.query) if filters.query else None

    course_cards = []
    for course in courses:
        if not _matches(course, filters) or (hits is not None and course.id not in hits.courses):
            continue
        named = [titles[k] for k in course.competences or [] if k in titles]
        course_cards.append(CourseCard(
            course, course.id in enrolled_courses, fits(course, roles, sectors),
            named[:MAX_COMPETENCES], max(0, len(named) - MAX_COMPETENCES),
            hits.lessons.get(course.id, []) if hits else [],
            hits.courses[course.id] if hits else 0.0))
    track_cards = []
    for track, required_load, all_load, count in tracks:
        if not _matches(track, filters) or (hits is not None and track.id not in hits.tracks):
            continue
        track_cards.append(TrackCard(
            track, track.id in enrolled_tracks, fits(track, roles, sectors),
            float(required_load or all_load or 0), int(count or 0),
            hits.tracks[track.id] if hits else 0.0))
    if hits is not None:  # best match first; the title order stays for equal ranks
        course_cards.sort(key=lambda c: -c.rank)
        track_cards.sort(key=lambda t: -t.rank)
    return Catalogue(filters, course_cards, track_cards)
