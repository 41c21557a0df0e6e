"""Professionalisation hours on the learning path: per calendar year and per period of the
learner's hours rule (``lms.hours_rules``), in pure functions tested directly."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date


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
        return round_hours(self.course_hours + self.logged_hours)


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
        return round_hours(self.course_hours + self.logged_hours)

    @property
    def remaining(self) -> float:
        return round_hours(max(0.0, self.benchmark - self.total))

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


def round_hours(value: float) -> float:
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
            year.course_hours = round_hours(year.course_hours + item.hours)
            cycle.course_hours = round_hours(cycle.course_hours + item.hours)
        else:
            year.logged_hours = round_hours(year.logged_hours + item.hours)
            cycle.logged_hours = round_hours(cycle.logged_hours + item.hours)
    return HoursSummary(
        cycle_years=length,
        cycle_anchor=anchor,
        benchmark=benchmark,
        years=sorted(years.values(), key=lambda y: y.year, reverse=True),
        cycles=sorted(cycles.values(), key=lambda c: c.first_year, reverse=True),
        items=sorted(items, key=lambda i: (i.day, i.title), reverse=True),
    )


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
