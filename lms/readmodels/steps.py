"""The courses of a track as one learner sees them (the track page, the home page and the
learning path share this one model): status, what still locks each course, the next one to
work on, and the sums over the courses that count."""
from __future__ import annotations

from dataclasses import dataclass, field

DONE = ("completed", "exempt")


@dataclass
class CourseStep:
    """One course in a learner's track, with what still locks it."""

    course_id: int
    slug: str
    title: str
    required: bool
    status: str  # not_started | in_progress | completed | exempt
    percent: int = 0
    waiting_for: list[str] = field(default_factory=list)  # titles of unfinished `after` courses
    exemption_reason: str | None = None
    hours: float = 0.0  # the course's study load

    @property
    def locked(self) -> bool:
        return bool(self.waiting_for)

    @property
    def available(self) -> bool:
        """Its ``after`` courses are done (the API's name for "not locked")."""
        return not self.waiting_for

    @property
    def done(self) -> bool:
        return self.status in DONE

    def to_dict(self) -> dict:
        """The API's shape of a step (``CourseStep`` in the OpenAPI document)."""
        return {"slug": self.slug, "title": self.title, "required": self.required,
                "status": self.status, "available": self.available, "hours": self.hours}


def track_steps(entries: list[tuple], states: dict[int, tuple[str, int]],
                exemptions: dict[int, str] | None = None) -> list[CourseStep]:
    """Lay out a track for one learner: status per course and which ``after`` courses still
    lock it. Exempted courses count as done; courses without open prerequisites run in
    parallel.

    :param entries: (course_id, slug, title, required, after-slugs, hours) in track order.
    :param states: course id → (status, percent); a status may already be ``exempt``.
    :param exemptions: course id → reason.
    """
    exemptions = exemptions or {}
    steps, by_slug = [], {}
    for course_id, slug, title, required, _after, hours in entries:
        status, percent = states.get(course_id, ("not_started", 0))
        if course_id in exemptions:
            status = "exempt"
        step = CourseStep(course_id, slug, title, required, status, percent,
                          exemption_reason=exemptions.get(course_id), hours=float(hours or 0))
        steps.append(step)
        by_slug[slug] = step
    for step, entry in zip(steps, entries):
        step.waiting_for = [by_slug[s].title if s in by_slug else s
                            for s in (entry[4] or []) if not (s in by_slug and by_slug[s].done)]
    return steps


def next_step(steps: list[CourseStep]) -> CourseStep | None:
    """The course to work on: one in progress, else the first open required one, else any."""
    open_steps = [s for s in steps if not s.done and not s.locked]
    for wanted in (lambda s: s.status == "in_progress", lambda s: s.required, lambda s: True):
        for step in open_steps:
            if wanted(step):
                return step
    return None


class StepSums:
    """Sums over a track's steps (``self.steps``): the courses that count are the required
    ones, or all of a track of electives."""

    steps: list[CourseStep]

    def _counted(self) -> list[CourseStep]:
        return [s for s in self.steps if s.required] or self.steps

    @property
    def counted_done(self) -> int:
        return sum(1 for s in self._counted() if s.done)

    @property
    def counted_total(self) -> int:
        return len(self._counted())

    @property
    def counted_busy(self) -> int:
        return sum(1 for s in self._counted() if s.status == "in_progress")

    @property
    def electives_only(self) -> bool:
        return not any(s.required for s in self.steps)

    @property
    def study_load(self) -> float:
        """Hours of study of the required courses (all courses when none is required)."""
        return round(sum(s.hours for s in self._counted()) + 0.0, 2)

    @property
    def elective_load(self) -> float:
        return 0.0 if self.electives_only else round(
            sum(s.hours for s in self.steps if not s.required) + 0.0, 2)
