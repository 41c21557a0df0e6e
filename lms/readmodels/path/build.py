"""Building the learning path from its three queries' rows: tracks and deadlines,
credentials, goals, hours and coverage, for one learner on one day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lms import clock
from lms.clock import local_date
from lms.readmodels.path import queries
from lms.readmodels.path.frameworks import competence_row, coverage, nlqf_levels
from lms.readmodels.path.hours import (Comparison, HoursItem, PendingCourse, hours_for_rule,
                                       rule_view)
from lms.readmodels.path.model import (CredentialView, Deadline, GoalView, HoursEntryView,
                                       LearningPath, TrackProgress)
from lms.readmodels.steps import next_step, track_steps
from lms.tracking.dates import validity_status

DUE_SOON_DAYS = 30


def deadline_of(due: date | None, today: date, done: bool) -> tuple[int | None, bool]:
    """Days left until ``due`` (negative when past) and whether the work is late."""
    if due is None:
        return None, False
    days = (due - today).days
    return days, days < 0 and not done


def credential_status(expires_on: date | None, today: date) -> tuple[str, int | None]:
    """The tracking engine's validity rule, plus the days left until the last valid day."""
    days = None if expires_on is None else (expires_on - today).days
    return validity_status(expires_on, today), days


@dataclass(frozen=True)
class PathSettings:
    """What the path computation needs from the configuration.

    ``cycle_start``: the first year of a registration cycle (``HOURS_CYCLE_START``); when not
    configured, cycles are anchored at the year the account was created.
    """

    cycle_years: int = 4
    benchmark: float = 160
    cycle_start: int | None = None
    timezone: str | None = None  # None: the configured TIMEZONE

    @classmethod
    def from_config(cls, config) -> PathSettings:
        start = config.get("HOURS_CYCLE_START")
        return cls(cycle_years=int(config.get("HOURS_CYCLE_YEARS") or 4),
                   benchmark=float(config.get("HOURS_BENCHMARK") or 160),
                   cycle_start=int(start) if start not in (None, "") else None,
                   timezone=config.get("TIMEZONE"))


def _default_rules():
    from flask import has_app_context

    from lms import hours_rules

    return hours_rules.current_rules() if has_app_context() else hours_rules.load()


def _locale() -> str:
    from flask import has_request_context

    if has_request_context():
        from flask_babel import get_locale

        return str(get_locale() or "nl")
    return "nl"


def learning_path(learner, *, settings: PathSettings | None = None, today: date | None = None,
                  rules=None, locale: str | None = None) -> LearningPath:
    """Compute ``learner``'s path with exactly three queries (see the module docstring).

    ``rules``: the hours rules (``lms.hours_rules.HoursRules``; the app's by default);
    ``locale``: the language of the rules' texts (the request's by default).
    """
    from lms.hours_rules import fallback, person_facts

    settings = settings or PathSettings()
    rules = rules or _default_rules()
    locale = locale or _locale()
    today = today or clock.today(tz=settings.timezone)
    enrolment_rows = queries.enrolment_rows(learner.id)
    record_rows = queries.record_rows(learner.id)
    portfolio_rows = queries.portfolio_rows(learner.id)
    roles, sectors = person_facts(learner)

    course_status: dict[int, str] = {}
    done_work: list[tuple[str, list]] = []
    hours_items: list[HoursItem] = []
    pending: list[PendingCourse] = []
    not_counted: list[PendingCourse] = []
    for row in record_rows:
        if row.kind == "course":
            if course_status.get(row.item_id) != "exempt":
                course_status[row.item_id] = row.status
            counts = rules.counts_course(row.slug)
            if row.hours and not counts and row.status in ("in_progress", "completed"):
                not_counted.append(PendingCourse(row.slug, row.title, float(row.hours)))
            if row.status == "completed" and row.moment is not None:
                done_work.append((row.title, row.competences or []))
                if row.hours and counts:
                    hours_items.append(HoursItem(local_date(row.moment, settings.timezone),
                                                 float(row.hours), "course", row.title))
            elif row.status == "in_progress" and row.hours and counts:
                pending.append(PendingCourse(row.slug, row.title, float(row.hours)))
        elif row.kind == "exempt":
            course_status[row.item_id] = "exempt"
        elif row.status == "completed":  # a lesson
            done_work.append((row.title, row.competences or []))
    pending = [p for p in pending if p.slug not in
               {r.slug for r in record_rows if r.kind == "exempt"}]

    tracks, deadlines = _tracks(enrolment_rows, course_status, today, settings.timezone)
    in_tracks = {key.split(":", 1)[0] for row in enrolment_rows
                 for key in (row.course_competences or []) if ":" in key}
    entries, goals, credentials, competence_rows = [], [], [], []
    chosen: str | None = None
    for row in portfolio_rows:
        if row.kind == "hours":
            entries.append(HoursEntryView(row.item_id, row.day, float(row.number), row.status,
                                          row.title, row.body or ""))
            hours_items.append(HoursItem(row.day, float(row.number), "logged", row.title,
                                         row.status))
        elif row.kind == "goal":
            goals.append(GoalView(row.item_id, row.title, row.body or "", row.status, row.day,
                                  list(row.extra or []),
                                  overdue=bool(row.day and row.day < today
                                               and row.status in ("planned", "in_progress"))))
        elif row.kind == "competence":
            competence_rows.append(competence_row(row))
        elif row.kind == "rule":
            chosen = row.title
        else:
            status, days = credential_status(row.day, today)
            credentials.append(CredentialView(
                row.item_id, row.title, row.ref,
                local_date(row.moment, settings.timezone) if row.moment else None,
                row.day, status, days))
    entries.sort(key=lambda e: (e.day, e.id), reverse=True)
    goals.sort(key=lambda g: (g.status in ("achieved", "dropped"), g.target_date or date.max, g.id))
    credentials.sort(key=lambda c: (c.issued_on or date.min, c.id), reverse=True)
    competence_rows.sort(key=lambda r: (r.framework_title, r.framework_id, r.position))

    anchor = settings.cycle_start
    if anchor is None:
        created = getattr(learner, "created_at", None)
        anchor = local_date(created, settings.timezone).year if created else today.year
    rule = rules.rule_for(roles, sectors, chosen)
    picked = rule is not None and rule.id == chosen
    rule = rule or fallback(settings.benchmark, settings.cycle_years)
    hours = hours_for_rule(hours_items, rule, today=today, anchor=anchor, locale=locale,
                           chosen=picked)
    for other in rules.benchmarks(rule):
        cycle = hours_for_rule(hours_items, other, today=today, anchor=anchor,
                               locale=locale).current_cycle
        hours.comparisons.append(Comparison(rule_view(other, locale), cycle))
    hours.pending, hours.not_counted = pending, not_counted
    return LearningPath(
        learner_id=learner.id,
        learner_name=learner.name,
        today=today,
        nlqf_level=learner.nlqf_level,
        nlqf_target=learner.nlqf_target,
        nlqf_levels=nlqf_levels([r for r in competence_rows if r.framework_slug == "nlqf"],
                                learner.nlqf_level, learner.nlqf_target),
        tracks=tracks,
        deadlines=deadlines,
        coverage=coverage(competence_rows, done_work, roles=roles, sectors=sectors,
                          in_tracks=in_tracks),
        hours=hours,
        hours_entries=entries,
        credentials=credentials,
        goals=goals,
    )


def _tracks(rows: list, course_status: dict[int, str], today: date, tz: str):
    """Group the enrolment × track-course rows into tracks, and collect their deadlines."""
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.enrolment_id, []).append(row)
    states = {course_id: (status, 0) for course_id, status in course_status.items()}
    tracks, deadlines = [], []
    for enrolment_id, group in grouped.items():
        first = group[0]
        done = first.enrolment_status == "completed" or first.track_status == "completed"
        if first.track_id is None:  # a single-course enrolment: only its deadline shows
            title = first.course_title
            done = done or course_status.get(first.course_id) in ("completed", "exempt")
            slug = first.course_slug
        else:
            title, slug = first.track_title, first.track_slug
            courses = [(r.course_id, r.course_slug, r.course_title, bool(r.required),
                        r.after or [], r.course_hours) for r in group if r.course_id is not None]
            steps = track_steps(courses, states)
            required = [s for s in steps if s.required]
            days_left, late = deadline_of(first.deadline, today, done)
            tracks.append(TrackProgress(
                enrolment_id=enrolment_id, slug=slug, title=title,
                status="completed" if done else (first.track_status or "not_started"),
                enrolled_on=local_date(first.enrolled_at, tz) if first.enrolled_at else None,
                deadline=first.deadline, days_left=days_left, late=late,
                required_done=sum(s.status in ("completed", "exempt") for s in required),
                required_total=len(required), courses=steps,
                next_step=None if done else next_step(steps),
                hours_target=first.hours_target, credential_name=first.credential_name,
                stored_percent=first.track_percent or 0))
        if first.deadline is not None and not done:
            days_left, late = deadline_of(first.deadline, today, done)
            deadlines.append(Deadline(slug, title, first.deadline, days_left, late,
                                      soon=0 <= days_left <= DUE_SOON_DAYS))
    deadlines.sort(key=lambda d: d.due)
    return tracks, deadlines
