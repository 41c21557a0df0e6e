"""The learning path as plain data: what the path page, the print view, the API and the
``lms_path_sections`` hook see (``LearningPath.to_dict()`` is the API's JSON)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from lms.readmodels.path.frameworks import FrameworkCoverage, NlqfLevel
from lms.readmodels.path.hours import HoursSummary
from lms.readmodels.steps import CourseStep, StepSums


@dataclass
class TrackProgress(StepSums):
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

    @property
    def steps(self) -> list[CourseStep]:
        return self.courses


@dataclass
class Deadline:
    track_slug: str
    track_title: str
    due: date
    days_left: int
    late: bool
    soon: bool


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
            "tracks": [dict(asdict(t), courses=[s.to_dict() for s in t.courses],
                            next_step=t.next_step.to_dict() if t.next_step else None,
                            percent=t.percent, required_busy=t.required_busy,
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
