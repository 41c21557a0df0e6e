"""The homes: what needs this person today, one part per role they hold (read models).

A person with several roles sees each part. Every part costs a fixed number of queries,
whatever the number of mentees or learners:

- learner (everyone with enrolments or the learner role): enrolments with progress and where
  to continue (``lms.readmodels.pages.home_overview``, three queries), the next deadline (from
  those rows) and the hours of this calendar year (one query). With the signed-in user and the
  notifications widget a learner's home is six queries.
- waiting (who may open the sign-off queue): what waits for their decision, from the
  ``lms_sign_off_items`` hook (a query or two per plugin); kept on ``flask.g`` so the count in
  the navigation costs nothing more on this page.
- mentees (who guides learners): one query for the mentees and their tracks.
- school (per school where the person is schoolopleider): learners behind schedule and people
  without a mentor, one query each.
- coordinator (per organisation where the person is coordinator): key numbers of the subtree
  now and a month ago, one query.

Like every page that shows other people's data, the home records who was shown in the audit
log (one statement, ``Home.people_shown``; nothing for a learner's own home).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from sqlalchemy import and_, case, func, or_, select

from lms.access import can, org_role_ids
from lms.clock import time_zone
from lms.extensions import db
from lms.models.accounts import MentorAssignment, RoleAssignment, User
from lms.models.content import Course, Track
from lms.models.organisations import Organisation
from lms.models.portfolio import HoursEntry
from lms.models.progress import CourseState, Credential, Enrolment, TrackState
from lms.plugins import sign_off_count, sign_off_items
from lms.reports.people import _behind as behind_schedule
from lms.reports.scope import subtree_ids
from lms.tracking.dates import add_months

SHOWN = 8  # names listed per part; the full lists are one click away
MENTEES_SHOWN = 12
WAITING_SHOWN = 5


# --- waiting for a decision (shared with the navigation) --------------------------------------


def waiting_items(user: Any) -> list[Any]:
    """The sign-off items waiting for ``user``, oldest first, once per request."""
    if has_request_context():
        cached = g.get("lms_waiting_items")
        if cached is not None and cached[0] == user.id:
            return cached[1]
    items = sign_off_items(user)
    if has_request_context():
        g.lms_waiting_items = (user.id, items)
    return items


def waiting_count(user: Any) -> int:
    """How many items wait for ``user``: the list's length when this request built it, else
    one query (``lms.plugins.sign_off_count``)."""
    if has_request_context():
        cached = g.get("lms_waiting_items")
        if cached is not None and cached[0] == user.id:
            return len(cached[1])
    return sign_off_count(user)


# --- the learner's part ------------------------------------------------------------------------


@dataclass
class NextDeadline:
    title: str
    day: date
    late: bool
    track_slug: str | None
    course_slug: str | None


@dataclass
class LearnerPart:
    overview: Any  # lms.readmodels.pages.HomeOverview
    next_deadline: NextDeadline | None
    hours_this_year: float
    year: int


def hours_this_year(user_id: int, today: date, tz: str | None = None) -> float:
    """Logged hours dated this calendar year plus the study load of courses completed in it
    (the year as it is where the learner lives), in one query."""
    zone = ZoneInfo(tz or time_zone())
    starts = datetime.combine(date(today.year, 1, 1), time.min, zone).astimezone(timezone.utc)
    ends = (datetime.combine(date(today.year + 1, 1, 1), time.min, zone).astimezone(timezone.utc)
            if today.year < 9999 else datetime.max.replace(tzinfo=timezone.utc))
    logged = (select(func.coalesce(func.sum(HoursEntry.hours), 0))
              .where(HoursEntry.user_id == user_id,
                     HoursEntry.date.between(date(today.year, 1, 1), date(today.year, 12, 31)))
              .scalar_subquery())
    courses = (select(func.coalesce(func.sum(Course.hours), 0))
               .join(CourseState, CourseState.course_id == Course.id)
               .where(CourseState.user_id == user_id, CourseState.status == "completed",
                      CourseState.completed_at >= starts, CourseState.completed_at < ends)
               .scalar_subquery())
    row = db.session.execute(select(logged, courses)).one()
    return round(float(row[0] or 0) + float(row[1] or 0), 2)


def learner_part(user: Any, today: date) -> LearnerPart | None:
    """Where to continue, the next deadline and this year's hours; None for someone who is
    not a learner and has no enrolments."""
    from lms.readmodels.pages import home_overview

    overview = home_overview(user.id, today)
    if not overview.enrolments and not user.has_role("learner"):
        return None
    upcoming = [item for item in overview.enrolments
                if item.enrolment.deadline and not item.completed]
    soonest = min(upcoming, key=lambda item: item.enrolment.deadline, default=None)
    deadline = None
    if soonest is not None:
        deadline = NextDeadline(
            soonest.title, soonest.enrolment.deadline, soonest.enrolment.deadline < today,
            soonest.track.slug if soonest.track else None,
            soonest.course.slug if soonest.course else None)
    return LearnerPart(overview, deadline, hours_this_year(user.id, today), today.year)


# --- the mentor's part -------------------------------------------------------------------------

LATE, BEHIND, ON_SCHEDULE, DONE, NO_TRACK = "late", "behind", "on_schedule", "done", "no_track"
URGENCY = {LATE: 0, BEHIND: 1, ON_SCHEDULE: 2, NO_TRACK: 3, DONE: 4}


@dataclass
class Mentee:
    id: int
    name: str
    status: str = NO_TRACK
    next_deadline: date | None = None
    track: str | None = None  # the track of the next deadline (or the first one)
    open_items: int = 0
    statuses: list[str] = field(default_factory=list)

    def settle(self) -> None:
        if self.statuses:
            self.status = min(self.statuses, key=URGENCY.__getitem__)


@dataclass
class MentorPart:
    mentees: list[Mentee]  # the most urgent first, at most MENTEES_SHOWN
    total: int
    waiting: int


def mentor_part(user: Any, today: date, items: list[Any]) -> MentorPart | None:
    """The learners ``user`` guides, most urgent first (deadline passed, behind schedule,
    open items), with their status and what waits for ``user`` (one query)."""
    behind = behind_schedule(today)
    rows = db.session.execute(
        select(User.id, User.name, Track.title, Enrolment.deadline, Enrolment.status,
               func.coalesce(TrackState.status, "not_started"), behind)
        .select_from(MentorAssignment)
        .join(User, User.id == MentorAssignment.learner_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == User.id, Enrolment.track_id.is_not(None),
                                   Enrolment.status != "withdrawn"))
        .outerjoin(Track, Track.id == Enrolment.track_id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .where(MentorAssignment.mentor_id == user.id, User.id != user.id, User.active.is_(True))
        .order_by(User.name, User.id, Enrolment.deadline)
    ).all()
    if not rows:
        return None
    open_items = Counter(item.learner_id for item in items)
    mentees: dict[int, Mentee] = {}
    for pid, name, title, deadline, enrol_status, status, is_behind in rows:
        mentee = mentees.setdefault(pid, Mentee(pid, name, open_items=open_items.get(pid, 0)))
        if title is None:
            continue
        done = enrol_status == "completed" or status == "completed"
        if done:
            mentee.statuses.append(DONE)
        elif deadline and deadline < today:
            mentee.statuses.append(LATE)
        elif is_behind:
            mentee.statuses.append(BEHIND)
        else:
            mentee.statuses.append(ON_SCHEDULE)
        sooner = mentee.next_deadline is None or (deadline and deadline < mentee.next_deadline)
        if not done and deadline and sooner:
            mentee.next_deadline, mentee.track = deadline, title
        mentee.track = mentee.track or title
    for mentee in mentees.values():
        mentee.settle()
    ordered = sorted(mentees.values(),
                     key=lambda m: (URGENCY[m.status] if m.status in (LATE, BEHIND) else 9,
                                    -m.open_items, m.next_deadline or date.max, m.name))
    return MentorPart(ordered[:MENTEES_SHOWN], len(mentees), len(items))


# --- the schoolopleider's part -----------------------------------------------------------------


@dataclass
class PersonLine:
    id: int
    name: str
    deadline: date | None = None
    late: bool = False


@dataclass
class SchoolPart:
    org: Organisation
    behind: list[PersonLine]  # at most SHOWN, the earliest deadline first
    behind_total: int
    without_mentor: list[PersonLine]  # at most SHOWN, by name
    without_mentor_total: int


def _school_learners(org_ids):
    return select(RoleAssignment.user_id).where(RoleAssignment.role == "learner",
                                                RoleAssignment.organisation_id.in_(org_ids))


def school_part(user: Any, org: Organisation, today: date) -> SchoolPart:
    """Learners of the school (and what is under it) behind schedule or past a deadline, and
    learners without a mentor; the schoolopleider herself left out (two queries)."""
    orgs = subtree_ids([org.id])
    learners = _school_learners(orgs)
    unfinished = func.coalesce(TrackState.status, "not_started") != "completed"
    late = Enrolment.deadline < today
    first_deadline = func.min(Enrolment.deadline)
    behind_rows = db.session.execute(
        select(User.id, User.name, first_deadline,
               func.max(case((late, 1), else_=0)), func.count().over())
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .where(Enrolment.user_id.in_(learners), Enrolment.user_id != user.id,
               Enrolment.track_id.is_not(None), Enrolment.status == "active", unfinished,
               User.active.is_(True), or_(late, behind_schedule(today)))
        .group_by(User.id, User.name)
        .order_by(first_deadline, User.name, User.id).limit(SHOWN)
    ).all()
    lonely_rows = db.session.execute(
        select(User.id, User.name, func.count().over())
        .where(User.id.in_(learners), User.id != user.id, User.active.is_(True),
               ~User.id.in_(select(MentorAssignment.learner_id)))
        .order_by(User.name, User.id).limit(SHOWN)
    ).all()
    return SchoolPart(
        org,
        [PersonLine(pid, name, deadline, bool(is_late))
         for pid, name, deadline, is_late, _n in behind_rows],
        behind_rows[0][4] if behind_rows else 0,
        [PersonLine(pid, name) for pid, name, _n in lonely_rows],
        lonely_rows[0][2] if lonely_rows else 0)


# --- the coordinator's part --------------------------------------------------------------------


@dataclass
class KeyNumber:
    key: str
    now: int
    before: int

    @property
    def change(self) -> int:
        return self.now - self.before


@dataclass
class CoordinatorPart:
    org: Organisation
    since: date
    numbers: list[KeyNumber]


KEY_NUMBERS = ("learners", "in_track", "overdue", "completed", "credentials")


def _key_numbers_at(org_ids, day: date) -> list:
    """The key numbers as they stood at the end of ``day``, as scalar subqueries."""
    end = datetime.combine(day + timedelta(days=1), time.min, timezone.utc)
    learners = (select(RoleAssignment.user_id)
                .where(RoleAssignment.role == "learner",
                       RoleAssignment.organisation_id.in_(org_ids),
                       RoleAssignment.created_at < end))
    in_tracks = and_(Enrolment.user_id.in_(learners), Enrolment.track_id.is_not(None),
                     Enrolment.status != "withdrawn", Enrolment.enrolled_at < end)
    open_then = or_(Enrolment.completed_at.is_(None), Enrolment.completed_at >= end)

    def count(*where, what=Enrolment.id):
        return select(func.count(func.distinct(what))).where(*where).scalar_subquery()

    return [
        select(func.count(func.distinct(learners.subquery().c.user_id))).scalar_subquery(),
        count(in_tracks, open_then, what=Enrolment.user_id),
        count(in_tracks, open_then, Enrolment.deadline < day),
        count(in_tracks, Enrolment.completed_at < end),
        select(func.count(Credential.id))
        .where(Credential.user_id.in_(learners), Credential.issued_at < end,
               or_(Credential.expires_at.is_(None), Credential.expires_at >= day))
        .scalar_subquery(),
    ]


def coordinator_part(org: Organisation, today: date) -> CoordinatorPart:
    """Learners, learners in a track, enrolments past their deadline, tracks completed and
    valid credentials in the subtree: today and a month ago (one query; counts only)."""
    since = add_months(today, -1)
    orgs = subtree_ids([org.id])
    row = db.session.execute(
        select(*_key_numbers_at(orgs, today), *_key_numbers_at(orgs, since))
    ).one()
    n = len(KEY_NUMBERS)
    return CoordinatorPart(org, since, [KeyNumber(key, int(row[i] or 0), int(row[n + i] or 0))
                                        for i, key in enumerate(KEY_NUMBERS)])


# --- the whole home ----------------------------------------------------------------------------


@dataclass
class Home:
    today: date
    learner: LearnerPart | None = None
    waiting: list[Any] | None = None  # None: may not sign off; [] nothing waiting
    mentor: MentorPart | None = None
    schools: list[SchoolPart] = field(default_factory=list)
    coordinator: list[CoordinatorPart] = field(default_factory=list)

    def people_shown(self) -> set[int]:
        """The other people whose data the home shows by name (for the audit log)."""
        shown = {item.learner_id for item in (self.waiting or [])[:WAITING_SHOWN]}
        if self.mentor is not None:
            shown |= {mentee.id for mentee in self.mentor.mentees}
        for school in self.schools:
            shown |= {p.id for p in school.behind} | {p.id for p in school.without_mentor}
        return shown


def _held_orgs(user: Any, role: str) -> list[Organisation]:
    """The organisations where ``user`` holds ``role`` themselves (not an admin's all)."""
    orgs = {r.organisation.id: r.organisation for r in user.roles if r.role == role}
    return sorted(orgs.values(), key=lambda org: (org.name, org.id))


def home_for(user: Any, today: date) -> Home:
    """Every part of the home ``user``'s roles give them (see the module docstring)."""
    home = Home(today, learner=learner_part(user, today))
    if can(user, "mentor.dashboard"):
        home.waiting = waiting_items(user)
        home.mentor = mentor_part(user, today, home.waiting)
    if org_role_ids(user, "schoolopleider"):
        home.schools = [school_part(user, org, today)
                        for org in _held_orgs(user, "schoolopleider")
                        if can(user, "school.learners", org)]
    if org_role_ids(user, "coordinator"):
        home.coordinator = [coordinator_part(org, today)
                            for org in _held_orgs(user, "coordinator")
                            if can(user, "coordinator.dashboard", org)]
    return home
