"""Professionalisation hours per calendar year and per registration cycle."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from lms.clock import local_date
from lms.readmodels.path.hours import HoursItem, cycle_first_year, summarise_hours


def logged(day: date, hours: float) -> HoursItem:
    return HoursItem(day=day, hours=hours, source="logged", title="x", category="lezen")


def course(day: date, hours: float) -> HoursItem:
    return HoursItem(day=day, hours=hours, source="course", title="c")


def test_cycle_first_year_repeats_both_ways():
    """Cycles of four years start at the anchor and repeat, also before it."""
    assert [cycle_first_year(y, 2021, 4) for y in (2021, 2024, 2025, 2028, 2029)] == [
        2021, 2021, 2025, 2025, 2029]
    assert [cycle_first_year(y, 2021, 4) for y in (2020, 2017, 2016)] == [2017, 2017, 2013]
    assert cycle_first_year(2030, 2030, 1) == 2030
    with pytest.raises(ValueError):
        cycle_first_year(2030, 2030, 0)


def test_entries_on_cycle_boundaries_fall_in_the_right_cycle():
    """Hours on 31 Dec of a cycle's last year and on 1 Jan of the next land in different cycles."""
    items = [logged(date(2024, 12, 31), 10), logged(date(2025, 1, 1), 3),
             logged(date(2021, 1, 1), 2), course(date(2020, 12, 31), 7)]
    summary = summarise_hours(items, today=date(2025, 6, 1), anchor=2021, length=4,
                              benchmark=160)
    by_first = {c.first_year: c for c in summary.cycles}
    assert by_first[2021].total == 12 and (by_first[2021].first_year, by_first[2021].last_year) == (2021, 2024)
    assert by_first[2025].total == 3 and by_first[2025].current
    assert by_first[2017].total == 7 and by_first[2017].course_hours == 7
    assert summary.current_cycle.remaining == 157
    assert by_first[2021].ends == date(2024, 12, 31) and by_first[2025].starts == date(2025, 1, 1)


def test_year_totals_split_course_and_logged_hours_and_add_up():
    """Each year shows course and logged hours; years and cycles add up to the same total."""
    items = [course(date(2024, 2, 29), 28), logged(date(2024, 2, 29), 0.25),
             logged(date(2024, 3, 1), 1.75), course(date(2023, 12, 31), 12.5),
             logged(date(2028, 2, 29), 4)]
    summary = summarise_hours(items, today=date(2026, 1, 1), anchor=2024, length=4,
                              benchmark=160)
    years = {y.year: y for y in summary.years}
    assert years[2024].course_hours == 28 and years[2024].logged_hours == 2
    assert years[2024].total == 30
    assert years[2026].total == 0  # the current year is always shown
    assert sum(y.total for y in summary.years) == sum(c.total for c in summary.cycles) == 46.5
    assert {c.first_year for c in summary.cycles} == {2020, 2024, 2028}
    assert [y.year for y in summary.years] == sorted((y.year for y in summary.years), reverse=True)


def test_benchmark_met_exactly():
    """Reaching the benchmark exactly counts as met, with nothing remaining."""
    items = [logged(date(2025, 1, 1), 0.25)] * 4 + [logged(date(2028, 12, 31), 159)]
    summary = summarise_hours(items, today=date(2027, 5, 5), anchor=2025, length=4,
                              benchmark=160)
    assert summary.current_cycle.total == 160
    assert summary.current_cycle.met and summary.current_cycle.remaining == 0


def test_completion_year_is_the_dutch_calendar_year():
    """A course completed late on New Year's Eve (UTC) counts for the new year in the Netherlands."""
    moment = datetime(2024, 12, 31, 23, 30, tzinfo=timezone.utc)
    assert local_date(moment) == date(2025, 1, 1)
    assert local_date(datetime(2024, 7, 1, 21, 59, tzinfo=timezone.utc)) == date(2024, 7, 1)
