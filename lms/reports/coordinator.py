"""Aggregates for a coordinator's organisation subtree: counts only, computed in SQL.

Every function runs one GROUP BY query whatever the number of learners; nothing here
returns names or texts (coordinators see status and counts, never content).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import (Float, Integer, String, and_, case, cast, distinct, extract, func, literal, null,
                        or_, select, union_all)

from lms.clock import local_date
from lms.extensions import db
from lms.hours_rules import HoursRuleChoice, HoursRules, fallback
from lms.models.accounts import RoleAssignment, User
from lms.models.base import UTCDateTime
from lms.models.content import Course, Track
from lms.models.organisations import Organisation
from lms.models.portfolio import HoursEntry
from lms.models.progress import CourseState, Credential, Enrolment, TrackState
from lms.reports.scope import subtree_ids
from lms.reports.sql import (BEHIND_MARGIN, HOURS_BUCKETS, PROGRESS_BUCKETS, bucket,
                             days_between, learner_ids, learner_schools, mentor_counts)

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
    hours_rules: list[dict] = field(default_factory=list)  # per rule: learners, reached
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


def _hours_rows(org_ids, since_year: int):
    """One UNION, no names or texts: every learner of the subtree with their roles, school
    sectors, chosen rule and account year (``person`` rows: one per role); their logged
    hours per year; and their completed courses."""
    learners = learner_ids(org_ids)
    year = cast(extract("year", HoursEntry.date), Integer)
    people = (select(literal("person").label("kind"), User.id.label("user_id"),
                     cast(null(), Integer).label("year"), User.created_at.label("moment"),
                     cast(null(), Float).label("hours"), HoursRuleChoice.rule.label("slug"),
                     RoleAssignment.role.label("role"), Organisation.sector.label("sector"))
              .join(RoleAssignment, RoleAssignment.user_id == User.id)
              .join(Organisation, Organisation.id == RoleAssignment.organisation_id)
              .outerjoin(HoursRuleChoice, HoursRuleChoice.user_id == User.id)
              .where(User.id.in_(learners)))
    logged = (select(literal("logged"), HoursEntry.user_id, year, cast(null(), UTCDateTime),
                     func.sum(HoursEntry.hours), cast(null(), String), cast(null(), String),
                     cast(null(), String))
              .where(HoursEntry.user_id.in_(learners), year >= since_year)
              .group_by(HoursEntry.user_id, year))
    courses = (select(literal("course"), CourseState.user_id, cast(null(), Integer),
                      CourseState.completed_at, Course.hours, Course.slug, cast(null(), String),
                      cast(null(), String))
               .join(Course, Course.id == CourseState.course_id)
               .where(CourseState.user_id.in_(learners), CourseState.status == "completed",
                      CourseState.completed_at >= datetime(since_year - 1, 12, 31,
                                                           tzinfo=timezone.utc)))
    return db.session.execute(union_all(people, logged, courses)).all()


def hours_distribution(org_ids, today: date, rules: HoursRules, *, cycle_start: int | None = None,
                       fallback_rule=None) -> tuple[list[dict], list[dict]]:
    """Learners by their hours in the current period of *their own* hours rule, as a share
    of that rule's hours (course + logged, as on their learning path), and per rule how
    many learners have it and how many reached it. One query.

    ``cycle_start`` anchors periods longer than a year (HOURS_CYCLE_START; else the year the
    account was made); ``fallback_rule`` is for learners no rule applies to."""
    from lms.readmodels.path.hours import cycle_first_year

    fallback_rule = fallback_rule or fallback(160, 4)
    longest = max([r.period_years for r in rules.rules] + [fallback_rule.period_years])
    people: dict[int, dict] = {}
    years: dict[int, dict[int, float]] = {}
    for kind, user_id, year, moment, hours, slug, role, sector in _hours_rows(
            org_ids, today.year - longest + 1):
        if kind == "person":
            person = people.setdefault(user_id, {"roles": set(), "sectors": set(),
                                                 "chosen": slug, "created": moment})
            person["roles"].add(role)
            if sector:
                person["sectors"].add(sector)
            continue
        if kind == "course":
            if not hours or not rules.counts_course(slug) or moment is None:
                continue
            year = local_date(moment).year
        per_year = years.setdefault(user_id, {})
        per_year[year] = per_year.get(year, 0.0) + float(hours or 0)
    buckets = {key: [0, 0.0] for key, _lo, _hi in HOURS_BUCKETS}
    per_rule: dict[str, dict] = {}
    for user_id, person in people.items():
        rule = rules.rule_for(person["roles"], person["sectors"], person["chosen"]) or fallback_rule
        if rule.period_years > 1:
            anchor = cycle_start if cycle_start is not None else (
                local_date(person["created"]).year if person["created"] else today.year)
            first = cycle_first_year(today.year, anchor, rule.period_years)
        else:
            first = today.year
        total = sum(h for y, h in years.get(user_id, {}).items()
                    if first <= y <= first + rule.period_years - 1)
        share = total * 100 / rule.hours
        key = next(k for k, low, high in reversed(HOURS_BUCKETS) if share >= low)
        buckets[key][0] += 1
        buckets[key][1] += total
        summary = per_rule.setdefault(rule.id, {"rule": rule.id, "rule_object": rule,
                                                "learners": 0, "reached": 0})
        summary["learners"] += 1
        summary["reached"] += share >= 100
    order = {r.id: i for i, r in enumerate(rules.rules)}
    return ([{"bucket": key, "learners": n, "hours": round(total, 2)}
             for key, (n, total) in buckets.items()],
            sorted(per_rule.values(), key=lambda r: order.get(r["rule"], len(order))))


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
                       weeks: int = RISK_WEEKS, rules: HoursRules | None = None,
                       cycle_start: int | None = None) -> CoordinatorReport:
    """Everything on the coordinator page for ``org_id`` and its subtree (six queries).

    Hours follow each learner's hours rule (``rules``: the app's by default), as on their
    learning path; ``cycle_years`` and ``benchmark`` (HOURS_CYCLE_YEARS, HOURS_BENCHMARK)
    are the rule for learners no rule applies to."""
    if rules is None:
        from lms.hours_rules import current_rules

        rules = current_rules()
    orgs = subtree_ids([org_id])
    report = CoordinatorReport(org_ids=[org_id], today=today)
    report.tracks = track_counts(orgs)
    by_slug = {t["track"]: t["enrolled"] for t in report.tracks}
    report.programmes = {name: by_slug.get(slug, 0) for slug, name in PROGRAMMES}
    report.progress = progress_distribution(orgs)
    report.risk = deadlines_at_risk(orgs, today, weeks)
    report.hours, report.hours_rules = hours_distribution(
        orgs, today, rules, cycle_start=cycle_start, fallback_rule=fallback(benchmark, cycle_years))
    report.credentials = expiring_credentials(orgs, today)
    report.schools = school_overview(orgs)
    return report
