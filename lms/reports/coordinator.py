"""Aggregates for a coordinator's organisation subtree: counts only, computed in SQL.

Every function runs one GROUP BY query whatever the number of learners; nothing here
returns names or texts (coordinators see status and counts, never content).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, distinct, func, literal, or_, select, union_all

from lms.extensions import db
from lms.models.content import Course, Track
from lms.models.organisations import Organisation
from lms.models.portfolio import HoursEntry
from lms.models.progress import CourseState, Credential, Enrolment, TrackState
from lms.reports.scope import subtree_ids
from lms.reports.sql import (BEHIND_MARGIN, HOURS_BUCKETS, PROGRESS_BUCKETS, bucket,
                             days_between, learner_ids, learner_schools, mentor_counts)
from lms.tracking.dates import add_years

# Track ids of the three programmes the region reports on (FORMAT.md agreed ids).
PROGRAMMES = (("inductie-starters", "starters"), ("zij-instroom", "zij_instroom"),
              ("pdg-mbo", "pdg"))
RISK_WEEKS = 8
EXPIRY_DAYS = 90


@dataclass
class CoordinatorReport:
    org_ids: list[int]
    today: date
    programmes: dict[str, int] = field(default_factory=dict)
    tracks: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    risk: list[dict] = field(default_factory=list)
    hours: list[dict] = field(default_factory=list)
    hours_window: tuple[date, date] | None = None
    credentials: list[dict] = field(default_factory=list)
    schools: list[dict] = field(default_factory=list)


def _active_enrolments(org_ids):
    return and_(Enrolment.track_id.is_not(None), Enrolment.status != "withdrawn",
                Enrolment.user_id.in_(learner_ids(org_ids)))


def track_counts(org_ids) -> list[dict]:
    """Learners per track: enrolled, completed, active."""
    rows = db.session.execute(
        select(Track.slug, Track.title, func.count(distinct(Enrolment.user_id)),
               func.sum(case((Enrolment.status == "completed", 1), else_=0)))
        .join(Enrolment, Enrolment.track_id == Track.id)
        .where(_active_enrolments(org_ids))
        .group_by(Track.id, Track.slug, Track.title).order_by(Track.title)
    )
    return [{"track": slug, "title": title, "enrolled": n, "completed": int(done or 0),
             "active": n - int(done or 0)} for slug, title, n, done in rows]


def progress_distribution(org_ids) -> list[dict]:
    """Per track, how many learners sit in each progress bucket (0, 1-24 … 100 %)."""
    percent = func.coalesce(TrackState.percent, 0)
    key = bucket(percent, PROGRESS_BUCKETS).label("bucket")
    rows = db.session.execute(
        select(Track.slug, Track.title, key, func.count())
        .join(Enrolment, Enrolment.track_id == Track.id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .where(_active_enrolments(org_ids))
        .group_by(Track.slug, Track.title, key).order_by(Track.title)
    )
    tracks: dict[str, dict] = {}
    for slug, title, key_, count in rows:
        entry = tracks.setdefault(slug, {"track": slug, "title": title,
                                         **{b[0]: 0 for b in PROGRESS_BUCKETS}})
        entry[key_] = count
    return list(tracks.values())


def deadlines_at_risk(org_ids, today: date, weeks: int = RISK_WEEKS) -> list[dict]:
    """Per school and track: active enrolments overdue, due within ``weeks``, behind schedule."""
    ls = learner_schools(org_ids)
    percent = func.coalesce(TrackState.percent, 0)
    total = days_between(Enrolment.enrolled_at, Enrolment.deadline)
    used = days_between(Enrolment.enrolled_at, literal(today))
    overdue = Enrolment.deadline < today
    soon = and_(Enrolment.deadline >= today, Enrolment.deadline <= today + timedelta(weeks=weeks))
    behind = and_(~overdue, total > 0, (percent + BEHIND_MARGIN) * total < 100 * used)
    rows = db.session.execute(
        select(Organisation.name, Track.title,
               func.sum(case((overdue, 1), else_=0)), func.sum(case((soon, 1), else_=0)),
               func.sum(case((behind, 1), else_=0)))
        .select_from(Enrolment)
        .join(ls, ls.c.user_id == Enrolment.user_id)
        .join(Organisation, Organisation.id == ls.c.school_id)
        .join(Track, Track.id == Enrolment.track_id)
        .outerjoin(TrackState, and_(TrackState.user_id == Enrolment.user_id,
                                    TrackState.track_id == Enrolment.track_id))
        .where(Enrolment.status == "active", Enrolment.deadline.is_not(None), percent < 100,
               or_(overdue, soon, behind))
        .group_by(Organisation.name, Track.title).order_by(Organisation.name, Track.title)
    )
    return [{"school": school, "track": track, "overdue": int(o or 0), "due_soon": int(s or 0),
             "behind": int(b or 0)} for school, track, o, s, b in rows]


def hours_window(today: date, cycle_years: int) -> tuple[date, date]:
    """The rolling window hours are counted in: the last ``cycle_years`` years up to today."""
    return add_years(today, -cycle_years) + timedelta(days=1), today


def hours_distribution(org_ids, today: date, cycle_years: int, benchmark: float) -> list[dict]:
    """Learners by their hours in the window as a share of the benchmark (course + logged)."""
    start, end = hours_window(today, cycle_years)
    start_at = datetime.combine(start, time.min, tzinfo=timezone.utc)
    learners = learner_ids(org_ids).distinct().subquery("learners")
    logged = (select(HoursEntry.user_id.label("user_id"), HoursEntry.hours.label("hours"))
              .where(HoursEntry.date >= start, HoursEntry.date <= end))
    courses = (select(CourseState.user_id.label("user_id"), Course.hours.label("hours"))
               .join(Course, Course.id == CourseState.course_id)
               .where(CourseState.status == "completed", CourseState.completed_at >= start_at))
    both = union_all(logged, courses).subquery("hours_source")
    per_person = (select(both.c.user_id, func.sum(both.c.hours).label("total"))
                  .group_by(both.c.user_id).subquery("hours_person"))
    share = func.coalesce(per_person.c.total, 0) * 100 / (benchmark or 1)
    key = bucket(share, HOURS_BUCKETS).label("bucket")
    rows = db.session.execute(
        select(key, func.count(), func.coalesce(func.sum(per_person.c.total), 0))
        .select_from(learners)
        .outerjoin(per_person, per_person.c.user_id == learners.c.user_id)
        .group_by(key)
    )
    found = {k: (n, total) for k, n, total in rows}
    return [{"bucket": k, "learners": found.get(k, (0, 0))[0],
             "hours": round(float(found.get(k, (0, 0))[1] or 0), 2)} for k, _, _ in HOURS_BUCKETS]


def expiring_credentials(org_ids, today: date, days: int = EXPIRY_DAYS) -> list[dict]:
    """Credentials by name: expiring within ``days``, and already expired."""
    expiring = Credential.expires_at.between(today, today + timedelta(days=days))
    expired = Credential.expires_at < today
    rows = db.session.execute(
        select(Credential.name, func.sum(case((expiring, 1), else_=0)),
               func.sum(case((expired, 1), else_=0)), func.count())
        .where(Credential.user_id.in_(learner_ids(org_ids)))
        .group_by(Credential.name).order_by(Credential.name)
    )
    return [{"credential": name, "expiring": int(e or 0), "expired": int(x or 0), "issued": n}
            for name, e, x, n in rows]


def school_overview(org_ids) -> list[dict]:
    """Per school: learners, learners with a mentor, learners in a track."""
    ls = learner_schools(org_ids)
    mc = mentor_counts()
    in_track = (select(Enrolment.user_id.label("user_id"))
                .where(Enrolment.track_id.is_not(None), Enrolment.status != "withdrawn")
                .distinct().subquery("in_track"))
    rows = db.session.execute(
        select(Organisation.name, func.count(distinct(ls.c.user_id)),
               func.count(distinct(mc.c.learner_id)), func.count(distinct(in_track.c.user_id)))
        .select_from(ls)
        .join(Organisation, Organisation.id == ls.c.school_id)
        .outerjoin(mc, mc.c.learner_id == ls.c.user_id)
        .outerjoin(in_track, in_track.c.user_id == ls.c.user_id)
        .group_by(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    return [{"school": name, "learners": n, "with_mentor": m, "without_mentor": n - m,
             "in_track": t} for name, n, m, t in rows]


def coordinator_report(org_id: int, today: date, *, cycle_years: int, benchmark: float,
                       weeks: int = RISK_WEEKS) -> CoordinatorReport:
    """Everything on the coordinator page for ``org_id`` and its subtree (six queries)."""
    orgs = subtree_ids([org_id])
    report = CoordinatorReport(org_ids=[org_id], today=today)
    report.tracks = track_counts(orgs)
    by_slug = {t["track"]: t["enrolled"] for t in report.tracks}
    report.programmes = {name: by_slug.get(slug, 0) for slug, name in PROGRAMMES}
    report.progress = progress_distribution(orgs)
    report.risk = deadlines_at_risk(orgs, today, weeks)
    report.hours = hours_distribution(orgs, today, cycle_years, benchmark)
    report.hours_window = hours_window(today, cycle_years)
    report.credentials = expiring_credentials(orgs, today)
    report.schools = school_overview(orgs)
    return report
