"""The learning path ("Mijn leerpad"): everything a teacher's path page and the API show,
computed with a fixed, small number of queries whatever the amount of data.

``learning_path(learner)`` runs exactly three queries (the learner's roles and schools come
with the learner: load them with it, as the login does):

1. enrolments with their tracks' courses (one row per enrolment × track course),
2. the learning record: course states and completed lesson states, as one UNION,
3. the portfolio and the frameworks: logged hours, development goals, credentials, the
   hours rule chosen for the learner and every competence of every framework, as one UNION.

Everything else is arithmetic on those rows, in pure functions tested directly. Hours follow
the learner's hours rule (``lms.hours_rules``): their chosen rule, else by role, else by
their school's sector, else the default.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import MAXYEAR, MINYEAR, date, datetime
from types import SimpleNamespace

from lms.tracking.dates import TIMEZONE as DEFAULT_TIMEZONE
from lms.tracking.dates import local_date as _local_date
from lms.tracking.dates import validity_status

DUE_SOON_DAYS = 30


# --- hours ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursItem:
    """Hours that count towards professionalisation: a completed course or a logged entry."""

    day: date
    hours: float
    source: str  # "course" or "logged"
    title: str
    category: str = "cursus"


@dataclass
class YearHours:
    year: int
    course_hours: float = 0.0
    logged_hours: float = 0.0

    @property
    def total(self) -> float:
        return _round(self.course_hours + self.logged_hours)


@dataclass
class CycleHours:
    """A registration cycle of ``length`` calendar years, first and last year inclusive."""

    first_year: int
    last_year: int
    benchmark: float
    course_hours: float = 0.0
    logged_hours: float = 0.0
    current: bool = False

    @property
    def total(self) -> float:
        return _round(self.course_hours + self.logged_hours)

    @property
    def remaining(self) -> float:
        return _round(max(0.0, self.benchmark - self.total))

    @property
    def met(self) -> bool:
        return self.total >= self.benchmark

    @property
    def starts(self) -> date:
        return date(self.first_year, 1, 1)

    @property
    def ends(self) -> date:
        return date(self.last_year, 12, 31)


@dataclass(frozen=True)
class RuleView:
    """The hours rule a learner's hours are measured against, in plain data."""

    id: str
    title: str
    summary: str
    hours: float
    period_years: int
    registration_years: int | None = None
    chosen: bool = False  # chosen for this person by their schoolopleider


@dataclass
class Comparison:
    """A benchmark rule shown next to the learner's own, with its current period."""

    rule: RuleView
    cycle: CycleHours


@dataclass(frozen=True)
class PendingCourse:
    """A course in progress whose study load counts once the whole course is completed."""

    slug: str
    title: str
    hours: float


@dataclass
class HoursSummary:
    """Hours per calendar year and per period of the learner's rule (``cycles``: of
    ``cycle_years`` years, ``benchmark`` hours each)."""

    cycle_years: int
    cycle_anchor: int
    benchmark: float
    years: list[YearHours]
    cycles: list[CycleHours]
    items: list[HoursItem]
    rule: RuleView | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    pending: list[PendingCourse] = field(default_factory=list)  # count when completed
    not_counted: list[PendingCourse] = field(default_factory=list)  # a qualification's load

    @property
    def current_cycle(self) -> CycleHours:
        return next(c for c in self.cycles if c.current)


def _round(value: float) -> float:
    return round(value + 0.0, 2)


def cycle_first_year(year: int, anchor: int, length: int) -> int:
    """First year of the cycle holding ``year``; cycles of ``length`` years start at ``anchor``
    and repeat in both directions (hours logged before the anchor fall in earlier cycles).
    Near the ends of the calendar this may be a year before 1: see ``_cycle``."""
    if length < 1:
        raise ValueError("a cycle lasts at least one year")
    return anchor + math.floor((year - anchor) / length) * length


def _cycle(first: int, length: int, benchmark: float, current: bool = False) -> CycleHours:
    """The cycle starting in ``first``, cut to the years a date can have (1 to 9999), so that
    an entry dated in the year 1 (stored before dates were checked) still has a cycle."""
    last = first + length - 1
    return CycleHours(min(max(first, MINYEAR), MAXYEAR), min(max(last, MINYEAR), MAXYEAR),
                      benchmark, current=current)


def summarise_hours(items: list[HoursItem], *, today: date, anchor: int, length: int,
                    benchmark: float) -> HoursSummary:
    """Hours per calendar year and per cycle; the current year and cycle are always present."""
    years: dict[int, YearHours] = {today.year: YearHours(today.year)}
    current_first = cycle_first_year(today.year, anchor, length)
    cycles: dict[int, CycleHours] = {
        current_first: _cycle(current_first, length, benchmark, current=True)
    }
    for item in items:
        year = years.setdefault(item.day.year, YearHours(item.day.year))
        first = cycle_first_year(item.day.year, anchor, length)
        cycle = cycles.setdefault(first, _cycle(first, length, benchmark))
        if item.source == "course":
            year.course_hours = _round(year.course_hours + item.hours)
            cycle.course_hours = _round(cycle.course_hours + item.hours)
        else:
            year.logged_hours = _round(year.logged_hours + item.hours)
            cycle.logged_hours = _round(cycle.logged_hours + item.hours)
    return HoursSummary(
        cycle_years=length,
        cycle_anchor=anchor,
        benchmark=benchmark,
        years=sorted(years.values(), key=lambda y: y.year, reverse=True),
        cycles=sorted(cycles.values(), key=lambda c: c.first_year, reverse=True),
        items=sorted(items, key=lambda i: (i.day, i.title), reverse=True),
    )


def local_date(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> date:
    """The calendar date of an aware UTC moment where the teacher lives (a course completed
    at 23:30 UTC on 31 December counts for the next year in the Netherlands)."""
    return _local_date(moment, tz)


# --- the path ----------------------------------------------------------------------------


@dataclass
class NlqfLevel:
    level: int
    title: str
    description: str
    routes: list
    current: bool = False
    target: bool = False
    between: bool = False  # above the current level, up to and including the target


@dataclass
class CourseStep:
    slug: str
    title: str
    required: bool
    status: str  # not_started | in_progress | completed | exempt
    available: bool  # its `after:` courses are done
    hours: float = 0.0  # study load


@dataclass
class TrackProgress:
    enrolment_id: int
    slug: str
    title: str
    status: str
    enrolled_on: date | None
    deadline: date | None
    days_left: int | None
    late: bool
    required_done: int
    required_total: int
    courses: list[CourseStep]
    next_step: CourseStep | None
    hours_target: float | None
    credential_name: str | None

    stored_percent: int = 0  # the track state's: mean of its courses' percentages

    @property
    def percent(self) -> int:
        """Progress through the required courses: each counts by its share of lessons done
        (completed and exempted ones fully), so 0 of 1 courses completed can be 50%."""
        return 100 if self.status == "completed" else self.stored_percent

    @property
    def required_busy(self) -> int:
        """Required courses begun but not completed: why the percentage can exceed the count."""
        return sum(1 for s in self.courses if s.required and s.status == "in_progress")

    def _counted(self) -> list[CourseStep]:
        # The courses the percentage is about: the required ones, all of a track of electives.
        return [s for s in self.courses if s.required] or self.courses

    @property
    def counted_done(self) -> int:
        return sum(1 for s in self._counted() if s.status in ("completed", "exempt"))

    @property
    def counted_total(self) -> int:
        return len(self._counted())

    @property
    def counted_busy(self) -> int:
        return sum(1 for s in self._counted() if s.status == "in_progress")

    @property
    def study_load(self) -> float:
        """Hours of study of the required courses (all courses when none is required)."""
        counted = [s for s in self.courses if s.required] or self.courses
        return _round(sum(s.hours for s in counted))

    @property
    def elective_load(self) -> float:
        if not any(s.required for s in self.courses):
            return 0.0
        return _round(sum(s.hours for s in self.courses if not s.required))


@dataclass
class Deadline:
    track_slug: str
    track_title: str
    due: date
    days_left: int
    late: bool
    soon: bool


@dataclass
class CompetenceCoverage:
    code: str
    title: str
    covered_by: list[str] = field(default_factory=list)  # titles of completed courses/lessons

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass
class FrameworkCoverage:
    slug: str
    title: str
    competences: list[CompetenceCoverage]
    fits: bool = True  # about the learner's roles, sector or tracks (else folded away)
    in_tracks: bool = False  # the learner's enrolled courses work on it

    @property
    def covered(self) -> list[CompetenceCoverage]:
        return [c for c in self.competences if c.covered]

    @property
    def open(self) -> list[CompetenceCoverage]:
        return [c for c in self.competences if not c.covered]


@dataclass
class CredentialView:
    id: int
    name: str
    track_slug: str | None
    issued_on: date | None
    expires_on: date | None
    status: str  # valid | expiring | expired
    days_left: int | None


@dataclass
class GoalView:
    id: int
    title: str
    description: str
    status: str
    target_date: date | None
    competences: list[str]
    overdue: bool


@dataclass
class HoursEntryView:
    id: int
    day: date
    hours: float
    category: str
    description: str
    evidence: str


@dataclass
class LearningPath:
    """A teacher's learning path on one day. Plain data: serialise with ``to_dict()``."""

    learner_id: int
    learner_name: str
    today: date
    nlqf_level: int | None
    nlqf_target: int | None
    nlqf_levels: list[NlqfLevel]
    tracks: list[TrackProgress]
    deadlines: list[Deadline]
    coverage: list[FrameworkCoverage]
    hours: HoursSummary
    hours_entries: list[HoursEntryView]
    credentials: list[CredentialView]
    goals: list[GoalView]

    @property
    def fitting_coverage(self) -> list[FrameworkCoverage]:
        return [f for f in self.coverage if f.fits]

    @property
    def other_coverage(self) -> list[FrameworkCoverage]:
        return [f for f in self.coverage if not f.fits]

    @property
    def routes(self) -> list[NlqfLevel]:
        """The levels between the current and target level, with their routes into teaching."""
        return [level for level in self.nlqf_levels if level.between]

    def to_dict(self) -> dict:
        """JSON-ready: dates as ISO strings, computed properties included."""
        return _jsonable({
            "learner": {"id": self.learner_id, "name": self.learner_name},
            "today": self.today,
            "nlqf": {
                "level": self.nlqf_level,
                "target": self.nlqf_target,
                "routes": [asdict(level) for level in self.routes],
            },
            "tracks": [dict(asdict(t), percent=t.percent, required_busy=t.required_busy,
                            study_load=t.study_load, elective_load=t.elective_load)
                       for t in self.tracks],
            "deadlines": [asdict(d) for d in self.deadlines],
            "coverage": [
                {"framework": f.slug, "title": f.title, "fits": f.fits,
                 "covered": [asdict(c) for c in f.covered],
                 "open": [{"code": c.code, "title": c.title} for c in f.open]}
                for f in self.coverage
            ],
            "hours": {
                "cycle_years": self.hours.cycle_years,
                "cycle_anchor": self.hours.cycle_anchor,
                "benchmark": self.hours.benchmark,
                "years": [dict(asdict(y), total=y.total) for y in self.hours.years],
                "cycles": [
                    dict(asdict(c), total=c.total, remaining=c.remaining, met=c.met,
                         starts=c.starts, ends=c.ends)
                    for c in self.hours.cycles
                ],
                "entries": [asdict(e) for e in self.hours_entries],
                "courses": [asdict(i) for i in self.hours.items if i.source == "course"],
                "rule": asdict(self.hours.rule) if self.hours.rule else None,
                "comparisons": [
                    {"rule": asdict(c.rule),
                     "cycle": dict(asdict(c.cycle), total=c.cycle.total,
                                   remaining=c.cycle.remaining, met=c.cycle.met,
                                   starts=c.cycle.starts, ends=c.cycle.ends)}
                    for c in self.hours.comparisons],
                "pending_courses": [asdict(p) for p in self.hours.pending],
                "not_counted_courses": [asdict(p) for p in self.hours.not_counted],
            },
            "credentials": [asdict(c) for c in self.credentials],
            "goals": [asdict(g) for g in self.goals],
        })


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


# --- pure pieces the builder uses ---------------------------------------------------------


def nlqf_levels(rows: list, current: int | None, target: int | None) -> list[NlqfLevel]:
    """Levels from the ``nlqf`` framework's competence rows (code = level)."""
    levels = []
    for row in rows:
        try:
            level = int(row.code)
        except ValueError:
            continue
        routes = (row.detail or {}).get("routes") or []
        levels.append(NlqfLevel(
            level=level, title=row.title, description=row.description or "", routes=list(routes),
            current=level == current, target=level == target,
            between=current is not None and target is not None and current < level <= target,
        ))
    return sorted(levels, key=lambda lv: lv.level)


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


def coverage(framework_rows: list, done: list[tuple[str, list]], *,
             roles: set[str] | None = None, sectors: set[str] | None = None,
             in_tracks: set[str] | None = None) -> list[FrameworkCoverage]:
    """Which competences completed courses and lessons cover, per framework (not ``nlqf``),
    fitting frameworks first.

    A framework fits when its ``sectors`` (if any) hold the sector of one of the learner's
    schools (or the learner has none), and its ``audience`` (if any) holds one of their
    ``roles`` or their enrolled courses work on it (``in_tracks``: framework slugs).

    :param framework_rows: competence rows with ``framework_slug``, ``framework_title``,
        ``framework_kind``, ``code``, ``title`` and optionally ``audience`` and ``sectors``,
        in display order.
    :param done: (title, ["framework:code", ...]) of every completed course and lesson.
    """
    roles, sectors, in_tracks = set(roles or ()), set(sectors or ()), set(in_tracks or ())
    sources: dict[str, list[str]] = defaultdict(list)
    for title, keys in done:
        for key in keys or []:
            if title not in sources[key]:
                sources[key].append(title)
    frameworks: dict[str, FrameworkCoverage] = {}
    for row in framework_rows:
        if row.framework_kind == "levels":
            continue
        fw = frameworks.get(row.framework_slug)
        if fw is None:
            audience = set(getattr(row, "audience", None) or ())
            fw_sectors = set(getattr(row, "sectors", None) or ())
            tracked = row.framework_slug in in_tracks
            sector_fits = not fw_sectors or not sectors or bool(fw_sectors & sectors)
            role_fits = not audience or bool(audience & roles) or tracked
            fw = frameworks[row.framework_slug] = FrameworkCoverage(
                row.framework_slug, row.framework_title, [], fits=sector_fits and role_fits,
                in_tracks=tracked)
        fw.competences.append(CompetenceCoverage(
            row.code, row.title, sources.get(f"{row.framework_slug}:{row.code}", [])))
    ordered = list(frameworks.values())  # stable: fitting, then worked on in tracks, first
    return sorted(ordered, key=lambda f: (not f.fits, not f.in_tracks))


def track_steps(courses: list[tuple], states: dict[int, str]) -> list[CourseStep]:
    """The courses of a track with their status and whether their prerequisites are done.

    :param courses: (course_id, slug, title, required, after, hours) in track order.
    :param states: course id → status (``completed``, ``exempt``, ``in_progress``...).
    """
    done = {slug for cid, slug, *_ in courses if states.get(cid) in ("completed", "exempt")}
    return [
        CourseStep(slug=slug, title=title, required=required,
                   status=states.get(cid, "not_started"),
                   available=all(a in done for a in (after or [])), hours=hours or 0.0)
        for cid, slug, title, required, after, hours in courses
    ]


def next_step(steps: list[CourseStep]) -> CourseStep | None:
    """The first unfinished course that can be started: in progress first, then required."""
    open_steps = [s for s in steps if s.status not in ("completed", "exempt") and s.available]
    for wanted in (lambda s: s.status == "in_progress", lambda s: s.required, lambda s: True):
        for step in open_steps:
            if wanted(step):
                return step
    return None


# --- settings and the builder ---------------------------------------------------------------


@dataclass(frozen=True)
class PathSettings:
    """What the path computation needs from the configuration.

    ``cycle_start``: the first year of a registration cycle (``HOURS_CYCLE_START``); when not
    configured, cycles are anchored at the year the account was created.
    """

    cycle_years: int = 4
    benchmark: float = 160
    cycle_start: int | None = None
    timezone: str = DEFAULT_TIMEZONE

    @classmethod
    def from_config(cls, config) -> PathSettings:
        start = config.get("HOURS_CYCLE_START")
        return cls(cycle_years=int(config.get("HOURS_CYCLE_YEARS") or 4),
                   benchmark=float(config.get("HOURS_BENCHMARK") or 160),
                   cycle_start=int(start) if start not in (None, "") else None,
                   timezone=config.get("TIMEZONE") or DEFAULT_TIMEZONE)


def rule_view(rule, locale: str, chosen: bool = False) -> RuleView:
    return RuleView(rule.id, rule.title_in(locale), rule.summary_in(locale), rule.hours,
                    rule.period_years, rule.registration_years, chosen)


def hours_for_rule(items: list[HoursItem], rule, *, today: date, anchor: int, locale: str,
                   chosen: bool = False) -> HoursSummary:
    """Hours per year and per period of ``rule`` (an ``lms.hours_rules.HoursRule``); a rule
    of one year has calendar years as periods, longer ones cycles starting at ``anchor``."""
    summary = summarise_hours(items, today=today, anchor=anchor if rule.period_years > 1 else
                              today.year, length=rule.period_years, benchmark=rule.hours)
    summary.rule = rule_view(rule, locale, chosen)
    return summary


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
    today = today or local_date(datetime.now().astimezone(), settings.timezone)
    enrolment_rows = _enrolment_rows(learner.id)
    record_rows = _record_rows(learner.id)
    portfolio_rows = _portfolio_rows(learner.id)
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
            competence_rows.append(_competence(row))
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
            steps = track_steps(courses, course_status)
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


def _competence(row) -> SimpleNamespace:
    """A competence row of the portfolio UNION under its own names."""
    return SimpleNamespace(
        framework_id=row.item_id, framework_slug=row.ref, framework_title=row.group_title,
        framework_kind=row.status, audience=row.audience or [], sectors=row.sectors or [],
        code=row.code, title=row.title, description=row.body or "", detail=row.extra,
        position=row.number or 0)


# --- the three queries -----------------------------------------------------------------------


def _text(value: str):
    """A constant text column (inlined, so PostgreSQL knows its type inside a UNION)."""
    import sqlalchemy as sa

    return sa.literal_column(f"'{value}'", sa.String)


def _enrolment_rows(user_id: int) -> list:
    """Active and completed enrolments; for a track one row per course in it."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Course, Track, TrackCourse
    from lms.models.progress import Enrolment, TrackState

    course_of_row = sa.func.coalesce(TrackCourse.course_id, Enrolment.course_id)
    stmt = (
        sa.select(
            Enrolment.id.label("enrolment_id"), Enrolment.status.label("enrolment_status"),
            Enrolment.enrolled_at, Enrolment.deadline, Enrolment.track_id,
            Track.slug.label("track_slug"), Track.title.label("track_title"),
            Track.hours_target, Track.credential_name,
            TrackState.status.label("track_status"), TrackState.percent.label("track_percent"),
            Course.id.label("course_id"), Course.slug.label("course_slug"),
            Course.title.label("course_title"), Course.hours.label("course_hours"),
            Course.competences.label("course_competences"),
            TrackCourse.required, TrackCourse.after,
        )
        .select_from(Enrolment)
        .outerjoin(Track, Track.id == Enrolment.track_id)
        .outerjoin(TrackState, sa.and_(TrackState.track_id == Enrolment.track_id,
                                       TrackState.user_id == Enrolment.user_id))
        .outerjoin(TrackCourse, TrackCourse.track_id == Enrolment.track_id)
        .outerjoin(Course, Course.id == course_of_row)
        .where(Enrolment.user_id == user_id, Enrolment.status != "withdrawn",
               sa.or_(Course.id.is_(None), Course.archived.is_(False)))
        .order_by(Enrolment.enrolled_at, Enrolment.id, TrackCourse.position)
    )
    return db.session.execute(stmt).all()


def _record_rows(user_id: int) -> list:
    """The learning record: course states, completed lessons and exemptions, as one UNION."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.models import Course, Lesson
    from lms.models.progress import CourseState, Exemption, LessonState

    courses = (
        sa.select(_text("course").label("kind"), Course.id.label("item_id"),
                  Course.title.label("title"), Course.hours.label("hours"),
                  Course.competences.label("competences"), CourseState.status.label("status"),
                  CourseState.completed_at.label("moment"), Course.slug.label("slug"))
        .join(Course, Course.id == CourseState.course_id)
        .where(CourseState.user_id == user_id)
    )
    lessons = (
        sa.select(_text("lesson"), Lesson.id, Lesson.title, sa.cast(sa.null(), sa.Float),
                  Lesson.competences, LessonState.status, LessonState.completed_at,
                  sa.cast(sa.null(), sa.String))
        .join(Lesson, Lesson.id == LessonState.lesson_id)
        .where(LessonState.user_id == user_id, LessonState.status == "completed")
    )
    exemptions = (
        sa.select(_text("exempt"), Exemption.course_id, Course.title,
                  sa.cast(sa.null(), sa.Float), sa.cast(sa.null(), sa.JSON),
                  _text("exempt"), Exemption.granted_at, Course.slug)
        .join(Course, Course.id == Exemption.course_id)
        .where(Exemption.user_id == user_id)
    )
    return db.session.execute(sa.union_all(courses, lessons, exemptions)).all()


def _portfolio_rows(user_id: int) -> list:
    """Logged hours, development goals, credentials, the chosen hours rule and every
    competence of every framework, as one UNION of a shared shape."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.hours_rules import HoursRuleChoice
    from lms.models import Competence, CompetenceFramework, Track
    from lms.models.base import UTCDateTime
    from lms.models.portfolio import DevelopmentGoal, HoursEntry
    from lms.models.progress import Credential

    def null(type_):
        return sa.cast(sa.null(), type_)

    def no_framework():  # the framework columns of rows that are not competences
        return null(sa.String), null(sa.String), null(sa.JSON), null(sa.JSON)

    hours = sa.select(
        _text("hours").label("kind"), HoursEntry.id.label("item_id"),
        HoursEntry.date.label("day"), null(UTCDateTime).label("moment"),
        HoursEntry.hours.label("number"),
        HoursEntry.description.label("title"),
        HoursEntry.evidence.label("body"),
        HoursEntry.category.label("status"),
        null(sa.JSON).label("extra"), null(sa.String).label("ref"),
        null(sa.String).label("code"), null(sa.String).label("group_title"),
        null(sa.JSON).label("audience"), null(sa.JSON).label("sectors"),
    ).where(HoursEntry.user_id == user_id)
    goals = sa.select(
        _text("goal"), DevelopmentGoal.id, DevelopmentGoal.target_date, null(UTCDateTime),
        null(sa.Float), DevelopmentGoal.title, DevelopmentGoal.description,
        DevelopmentGoal.status, DevelopmentGoal.competences, null(sa.String), *no_framework(),
    ).where(DevelopmentGoal.user_id == user_id)
    credentials = sa.select(
        _text("credential"), Credential.id, Credential.expires_at, Credential.issued_at,
        null(sa.Float), Credential.name, null(sa.Text), null(sa.String), null(sa.JSON),
        Track.slug, *no_framework(),
    ).outerjoin(Track, Track.id == Credential.track_id).where(Credential.user_id == user_id)
    rule = sa.select(
        _text("rule"), HoursRuleChoice.user_id, null(sa.Date), HoursRuleChoice.chosen_at,
        null(sa.Float), HoursRuleChoice.rule, null(sa.Text), null(sa.String), null(sa.JSON),
        null(sa.String), *no_framework(),
    ).where(HoursRuleChoice.user_id == user_id)
    competences = sa.select(
        _text("competence"), CompetenceFramework.id, null(sa.Date), null(UTCDateTime),
        sa.cast(Competence.position, sa.Float), Competence.title, Competence.description,
        CompetenceFramework.kind, Competence.detail, CompetenceFramework.slug,
        Competence.code, CompetenceFramework.title, CompetenceFramework.audience,
        CompetenceFramework.sectors,
    ).join(Competence, Competence.framework_id == CompetenceFramework.id
           ).where(Competence.archived.is_(False))
    return db.session.execute(sa.union_all(hours, goals, credentials, rule, competences)).all()
