"""Lists of people for mentors and schoolopleiders: one page of learners with their tracks,
deadlines, mentors and open items, in a fixed number of queries whatever the page size."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, distinct, exists, func, literal, or_, select

from lms.extensions import db
from lms.models.accounts import MentorAssignment, RoleAssignment, User
from lms.models.content import Course, Track
from lms.models.organisations import Organisation
from lms.models.progress import CourseState, Enrolment, TrackState
from lms.plugins import sign_off_items
from lms.reports.sql import BEHIND_MARGIN, days_between

PAGE_SIZE = 100
TRACK_STATUSES = ("not_started", "in_progress", "completed")


@dataclass
class TrackLine:
    """One enrolment of a learner: a track, or a course taken on its own."""

    slug: str
    title: str
    percent: int
    status: str
    deadline: date | None
    late: bool
    behind: bool
    kind: str = "track"  # or "course"


@dataclass
class LearnerLine:
    id: int
    name: str
    email: str
    active: bool
    schools: list[str] = field(default_factory=list)
    tracks: list[TrackLine] = field(default_factory=list)
    mentors: list[str] = field(default_factory=list)
    open_items: int = 0

    @property
    def next_deadline(self) -> TrackLine | None:
        open_ = [t for t in self.tracks if t.deadline and t.status != "completed"]
        return min(open_, key=lambda t: t.deadline) if open_ else None


@dataclass
class Filters:
    """What a schoolopleider narrows the list to (all optional)."""

    track: str = ""
    role: str = "learner"
    status: str = ""  # a track status, or "" for all
    deadline_weeks: int | None = None
    behind: bool = False
    without_mentor: bool = False


def _behind(today: date):
    percent = func.coalesce(TrackState.percent, 0)
    total = days_between(Enrolment.enrolled_at, Enrolment.deadline)
    used = days_between(Enrolment.enrolled_at, literal(today))
    return and_(Enrolment.deadline >= today, total > 0,
                (percent + BEHIND_MARGIN) * total < 100 * used)


def _enrolment_exists(*conditions):
    return exists(
        select(Enrolment.id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .join(Track, Track.id == Enrolment.track_id)
        .where(Enrolment.user_id == User.id, Enrolment.status != "withdrawn", *conditions)
    )


def school_people(org_ids, filters: Filters, today: date):
    """A SELECT of the users with ``filters.role`` in the organisations, narrowed by the filters."""
    stmt = select(User.id).where(User.id.in_(
        select(RoleAssignment.user_id).where(RoleAssignment.role == filters.role,
                                             RoleAssignment.organisation_id.in_(org_ids))))
    unfinished = func.coalesce(TrackState.status, "not_started") != "completed"
    if filters.track:
        stmt = stmt.where(_enrolment_exists(Track.slug == filters.track))
    if filters.status:
        stmt = stmt.where(_enrolment_exists(
            func.coalesce(TrackState.status, "not_started") == filters.status,
            *([Track.slug == filters.track] if filters.track else [])))
    if filters.deadline_weeks is not None:
        stmt = stmt.where(_enrolment_exists(
            Enrolment.status == "active", unfinished,
            Enrolment.deadline <= today + timedelta(weeks=filters.deadline_weeks)))
    if filters.behind:
        stmt = stmt.where(_enrolment_exists(Enrolment.status == "active", unfinished,
                                            _behind(today)))
    if filters.without_mentor:
        stmt = stmt.where(~User.id.in_(select(MentorAssignment.learner_id)))
    return stmt


def mentees(mentor_id: int):
    """A SELECT of the ids of the learners assigned to a mentor."""
    return select(MentorAssignment.learner_id).where(MentorAssignment.mentor_id == mentor_id)


def count(ids_select) -> int:
    return db.session.scalar(select(func.count()).select_from(ids_select.subquery())) or 0


def learner_lines(ids_select, today: date, *, limit: int = PAGE_SIZE, offset: int = 0,
                  reviewer: User | None = None) -> list[LearnerLine]:
    """One page of learners with everything the overview shows (six queries, any page size).

    ``open_items`` counts what waits for ``reviewer`` (None: for anyone), through the
    ``lms_sign_off_items`` hook.
    """
    people = db.session.execute(
        select(User.id, User.name, User.email, User.active)
        .where(User.id.in_(ids_select)).order_by(User.name, User.id).limit(limit).offset(offset)
    ).all()
    lines = {pid: LearnerLine(pid, name, email, active) for pid, name, email, active in people}
    ids = list(lines)
    if not ids:
        return []
    for pid, school in db.session.execute(
        select(RoleAssignment.user_id, Organisation.name)
        .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
        .where(RoleAssignment.user_id.in_(ids), RoleAssignment.role == "learner")
        .order_by(Organisation.name)
    ):
        lines[pid].schools.append(school)
    behind = _behind(today)
    # Tracks and courses taken on their own (work on a lesson outside a track enrols in its
    # course): a learner with only a course is not shown as having no enrolments at all.
    title = func.coalesce(Track.title, Course.title)
    for pid, slug, title_, percent, status, deadline, is_behind, enrol_status, kind in \
            db.session.execute(
        select(Enrolment.user_id, func.coalesce(Track.slug, Course.slug), title,
               func.coalesce(TrackState.percent, CourseState.percent, 0),
               func.coalesce(TrackState.status, CourseState.status, "not_started"),
               Enrolment.deadline, behind, Enrolment.status,
               case((Enrolment.track_id.is_not(None), "track"), else_="course"))
        .outerjoin(Track, Track.id == Enrolment.track_id)
        .outerjoin(Course, Course.id == Enrolment.course_id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .outerjoin(CourseState, and_(CourseState.user_id == Enrolment.user_id,
                                     CourseState.course_id == Enrolment.course_id))
        .where(Enrolment.user_id.in_(ids), Enrolment.status != "withdrawn",
               or_(Track.archived.is_(False), Course.archived.is_(False)))
        .order_by(Enrolment.deadline, Enrolment.course_id.is_not(None), title)
    ):
        done = status == "completed" or enrol_status == "completed"
        lines[pid].tracks.append(TrackLine(
            slug, title_, int(percent), "completed" if done else status, deadline,
            late=bool(deadline and deadline < today and not done),
            behind=bool(is_behind) and not done, kind=kind))
    for pid, mentor in db.session.execute(
        select(MentorAssignment.learner_id, User.name)
        .join(User, User.id == MentorAssignment.mentor_id)
        .where(MentorAssignment.learner_id.in_(ids)).order_by(User.name)
    ):
        lines[pid].mentors.append(mentor)
    for item in sign_off_items(reviewer, ids):
        lines[item.learner_id].open_items += 1
    return list(lines.values())


@dataclass
class Coverage:
    without_mentor: int
    without_mentor_names: list[tuple[int, str]]
    overloaded: list[tuple[int, str, int]]  # mentor id, name, learners
    threshold: int


def mentor_coverage(org_ids, threshold: int, sample: int = 50) -> Coverage:
    """Learners of the schools without a mentor, and mentors with more than ``threshold``."""
    learners = select(RoleAssignment.user_id).where(RoleAssignment.role == "learner",
                                                    RoleAssignment.organisation_id.in_(org_ids))
    lonely = (select(User.id, User.name)
              .where(User.id.in_(learners), User.active.is_(True),
                     ~User.id.in_(select(MentorAssignment.learner_id)))
              .order_by(User.name))
    total = db.session.scalar(select(func.count()).select_from(lonely.subquery())) or 0
    names = [tuple(r) for r in db.session.execute(lonely.limit(sample))]
    mentors = select(RoleAssignment.user_id).where(
        RoleAssignment.role.in_(("mentor", "schoolopleider")),
        RoleAssignment.organisation_id.in_(org_ids))
    loads = db.session.execute(
        select(User.id, User.name, func.count(distinct(MentorAssignment.learner_id)))
        .join(MentorAssignment, MentorAssignment.mentor_id == User.id)
        .where(User.id.in_(mentors))
        .group_by(User.id, User.name)
        .having(func.count(distinct(MentorAssignment.learner_id)) > threshold)
        .order_by(User.name)
    )
    return Coverage(total, names, [tuple(r) for r in loads], threshold)


def coverage_counts(org_ids, threshold: int) -> tuple[int, int]:
    """(learners without a mentor, mentors above ``threshold``) in one query."""
    learners = select(RoleAssignment.user_id).where(RoleAssignment.role == "learner",
                                                    RoleAssignment.organisation_id.in_(org_ids))
    lonely = (select(func.count(User.id))
              .where(User.id.in_(learners), User.active.is_(True),
                     ~User.id.in_(select(MentorAssignment.learner_id)))
              .scalar_subquery())
    mentors = select(RoleAssignment.user_id).where(
        RoleAssignment.role.in_(("mentor", "schoolopleider")),
        RoleAssignment.organisation_id.in_(org_ids))
    loaded = (select(MentorAssignment.mentor_id).where(MentorAssignment.mentor_id.in_(mentors))
              .group_by(MentorAssignment.mentor_id)
              .having(func.count(distinct(MentorAssignment.learner_id)) > threshold).subquery())
    overloaded = select(func.count()).select_from(loaded).scalar_subquery()
    row = db.session.execute(select(lonely, overloaded)).one()
    return int(row[0] or 0), int(row[1] or 0)
