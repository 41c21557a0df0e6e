"""What the competence frameworks say on the learning path: which competences the learner's
completed work covers, and the NLQF levels with their routes."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace


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


def competence_row(row) -> SimpleNamespace:
    """A competence row of the portfolio UNION under its own names."""
    return SimpleNamespace(
        framework_id=row.item_id, framework_slug=row.ref, framework_title=row.group_title,
        framework_kind=row.status, audience=row.audience or [], sectors=row.sectors or [],
        code=row.code, title=row.title, description=row.body or "", detail=row.extra,
        position=row.number or 0)
