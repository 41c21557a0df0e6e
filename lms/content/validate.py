"""Checks across files: unique ids, known competences and courses, links, prerequisite cycles,
and the ``lms_course_loaded`` hook.

References may also point at what other sources imported (``Imported``, read from the
database when there is one); a row that belongs to another source is refused unless the
import moves it (``move_from``).
"""
from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lms.content.limits import Limits
from lms.content.loader import ContentTree, CourseFile, load_tree, resolve
from lms.content.parse import SourceFile
from lms.content.problems import Problem
from lms.content.render import RenderError, Renderer
from lms.content.sources import Imported
from lms.plugins import collect


def check_tree(tree: ContentTree, pm: Any | None = None, render: bool = True,
               imported: Imported | None = None, move_from: Iterable[str] = ()) -> list[Problem]:
    """Every problem in a loaded tree (its load problems included), sorted by path and line.

    With ``pm`` and ``render``, every Markdown body is rendered as the importer would, within
    ``tree.limits``, so check reports what import would fail on. (The importer itself passes
    ``render=False`` and renders only the files that changed.) With ``imported``, courses and
    frameworks of other sources count as known, and ids another source owns are refused
    unless that source is in ``move_from``.
    """
    problems = list(tree.problems)
    known = _Known(tree, imported)
    _unique_ids(tree, problems)
    if imported is not None:
        _owners(tree, imported, set(move_from), problems)
    _competences(tree, known, problems)
    _prerequisites(tree, known, problems)
    _tracks(tree, known, problems)
    _links(tree, problems)
    if pm is not None:
        _course_hook(tree, pm, problems)
        if render:
            _rendering(tree, Renderer.for_plugins(pm, tree.limits.render_seconds), problems)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.field, p.message))


def check_directory(root: Path, source: str | None = None, *,
                    move_from: Iterable[str] = ()) -> list[Problem]:
    """Load and check a course tree with the current app's lesson types and plugins, against
    what other sources imported when the app has a migrated database."""
    return check_source(root, source, move_from=move_from)[0]


def check_source(root: Path, source: str | None = None, *,
                 move_from: Iterable[str] = ()) -> tuple[list[Problem], list[str]]:
    """``check_directory``'s problems, and the references other sources answer
    (``external_references``; empty without a database)."""
    from flask import current_app

    from lms.content.sources import default_source
    from lms.plugins import get_pm

    pm = get_pm(current_app)
    tree = load_tree(Path(root), activity_types(pm), Limits.from_config(current_app.config))
    imported = Imported.load_if_possible(source or default_source(Path(root)))
    problems = check_tree(tree, pm, imported=imported, move_from=move_from)
    return problems, external_references(tree, imported)


def activity_types(pm: Any) -> dict[str, Any]:
    """Lesson types registered by plugins, by name."""
    return {activity.name: activity for activity in collect(pm.hook.lms_activity_types())}


def _duplicates(items: Iterable[tuple[str, SourceFile]], what: str, problems: list[Problem]) -> None:
    first: dict[str, SourceFile] = {}
    for slug, source in items:
        if slug in first:
            other = first[slug]
            problems.append(source.problem(
                "id", f"duplicate {what} id '{slug}' (also in {other.rel}:{other.line_of('id')})"))
        else:
            first[slug] = source


def _unique_ids(tree: ContentTree, problems: list[Problem]) -> None:
    _duplicates(((f.slug, f.source) for f in tree.frameworks), "framework", problems)
    _duplicates(((c.slug, c.source) for c in tree.courses), "course", problems)
    _duplicates(((t.slug, t.source) for t in tree.tracks), "track", problems)
    for course in tree.courses:
        _duplicates(((l.slug, l.source) for l in course.lessons), "lesson", problems)


class _Known:
    """What references may name: the tree's own courses and frameworks, plus the live
    courses and the frameworks that other sources imported (with the source they came from).

    A course of the tree's own source that the tree no longer holds is not known: the import
    archives it."""

    def __init__(self, tree: ContentTree, imported: Imported | None):
        self.imported = imported
        self.codes: dict[str, list[str]] = {f.slug: [i["code"] for i in f.items]
                                            for f in tree.frameworks}
        self.framework_source: dict[str, str] = {}
        self.courses: set[str] = {c.slug for c in tree.courses}
        self.course_source: dict[str, str] = {}
        if imported is None:
            return
        for slug, row in imported.frameworks.items():
            if slug not in self.codes:
                self.codes[slug] = imported.codes.get(slug, [])
                self.framework_source[slug] = row.source
        for slug, row in imported.elsewhere("courses").items():
            if slug not in self.courses and not row.archived:
                self.courses.add(slug)
                self.course_source[slug] = row.source

    def unknown_course(self, slug: str) -> str:
        row = self.imported.courses.get(slug) if self.imported is not None else None
        if row is not None and row.source != self.imported.source and row.archived:
            return f"course '{slug}' of source '{row.source}' is archived"
        where = " (not in this folder, nor imported from another source)" \
            if self.imported is not None else ""
        hint = difflib.get_close_matches(slug, sorted(self.courses), n=1, cutoff=0.75)
        return f"unknown course '{slug}'{where}" + (f"; did you mean '{hint[0]}'?" if hint else "")

    def unknown_competence(self, code: str) -> str:
        framework, _, item = code.partition(":")
        if framework not in self.codes:
            hint = difflib.get_close_matches(framework, sorted(self.codes), n=1, cutoff=0.6)
            where = "in frameworks/" + (" or in another source" if self.imported else "")
            return (f"unknown competence '{code}': no framework '{framework}' {where}"
                    + (f"; did you mean '{hint[0]}'?" if hint else ""))
        codes = self.codes[framework]
        origin = (f" (from source '{self.framework_source[framework]}')"
                  if framework in self.framework_source else "")
        near = difflib.get_close_matches(item, codes, n=3, cutoff=0.5)
        hint = f"did you mean '{framework}:{near[0]}'? " if near else ""
        if len(codes) <= 12:
            listed = f"its codes are {', '.join(codes) or 'none'}"
        else:
            listed = f"nearest of its {len(codes)} codes: {', '.join(near or codes[:5])}"
        return f"unknown competence '{code}': {hint}framework '{framework}'{origin}: {listed}"


def _owners(tree: ContentTree, imported: Imported, move_from: set[str],
            problems: list[Problem]) -> None:
    """Ids that another source owns are not taken over silently."""
    def refuse(kind: str, slug: str, source: SourceFile, row_source: str, state: str) -> None:
        problems.append(source.problem("id", (
            f"{kind} '{slug}' belongs to source '{row_source}'{state}: import with "
            f"--move-from {row_source} to move it to source '{imported.source}', or give "
            f"this {kind} another id")))

    for kind, items in (("course", tree.courses), ("track", tree.tracks)):
        others = imported.elsewhere(kind + "s")
        for item in items:
            row = others.get(item.slug)
            if row is not None and row.source not in move_from:
                refuse(kind, item.slug, item.source, row.source,
                       " (archived there)" if row.archived else "")
    others = imported.elsewhere("frameworks")
    for framework in tree.frameworks:
        row = others.get(framework.slug)
        if row is None or row.source in move_from:
            continue
        if imported.framework_hashes.get(framework.slug) != hashlib.sha256(
                framework.source.raw).hexdigest():  # the very same file may be shared
            refuse("framework", framework.slug, framework.source, row.source,
                   " and differs from this file")


def external_references(tree: ContentTree, imported: Imported | None) -> list[str]:
    """``path:line: field: <what> from source '<name>'`` for every reference that another
    source's course or framework answers."""
    known = _Known(tree, imported)
    found: list[str] = []

    def note(source: SourceFile, at: str, what: str, origin: str) -> None:
        found.append(f"{source.rel}:{source.line_of(at)}: {at}: {what} from source '{origin}'")

    for course in tree.courses:
        for index, slug in enumerate(course.prerequisites):
            if slug in known.course_source:
                note(course.source, f"prerequisites[{index}]", f"course '{slug}'",
                     known.course_source[slug])
        for source, codes in [(course.source, course.competences)] + [
                (lesson.source, lesson.competences) for lesson in course.lessons]:
            for index, code in enumerate(codes):
                framework = code.split(":", 1)[0]
                if framework in known.framework_source:
                    note(source, f"competences[{index}]", f"competence '{code}'",
                         known.framework_source[framework])
    for track in tree.tracks:
        for entry in track.courses:
            if entry.course in known.course_source:
                note(track.source, f"courses[{entry.index}].course", f"course '{entry.course}'",
                     known.course_source[entry.course])
    return found


def _competences(tree: ContentTree, known: _Known, problems: list[Problem]) -> None:
    def check(source: SourceFile, codes: list[str]) -> None:
        for index, code in enumerate(codes):
            framework, _, item = code.partition(":")
            if item not in known.codes.get(framework, ()):
                problems.append(source.problem(f"competences[{index}]",
                                               known.unknown_competence(code)))

    for course in tree.courses:
        check(course.source, course.competences)
        for lesson in course.lessons:
            check(lesson.source, lesson.competences)


def _prerequisites(tree: ContentTree, known: _Known, problems: list[Problem]) -> None:
    courses = {c.slug: c for c in tree.courses}
    graph: dict[str, list[str]] = {}
    for course in tree.courses:
        for index, slug in enumerate(course.prerequisites):
            if slug not in known.courses:
                problems.append(course.source.problem(f"prerequisites[{index}]",
                                                      known.unknown_course(slug)))
        graph[course.slug] = [s for s in course.prerequisites if s in courses]
    for cycle in _cycles(graph):
        source = courses[cycle[0]].source
        problems.append(source.problem("prerequisites",
                                       "prerequisite cycle: " + " → ".join(cycle + [cycle[0]])))


def _tracks(tree: ContentTree, known: _Known, problems: list[Problem]) -> None:
    for track in tree.tracks:
        source = track.source
        if not track.courses and "courses" in source.meta:
            problems.append(source.problem("courses", "lists no courses"))
        in_track: dict[str, int] = {}
        for entry in track.courses:
            at = f"courses[{entry.index}]"
            if entry.course not in known.courses:
                problems.append(source.problem(f"{at}.course", known.unknown_course(entry.course)))
            if entry.course in in_track:
                problems.append(source.problem(f"{at}.course",
                                               f"course '{entry.course}' is listed twice"))
            in_track.setdefault(entry.course, entry.index)
        graph: dict[str, list[str]] = {}
        for entry in track.courses:
            for index, slug in enumerate(entry.after):
                if slug not in in_track:
                    problems.append(source.problem(
                        f"courses[{entry.index}].after[{index}]",
                        f"'{slug}' is not a course of this track"))
            graph[entry.course] = [s for s in entry.after if s in in_track]
        for cycle in _cycles(graph):
            problems.append(source.problem(f"courses[{in_track[cycle[0]]}].after",
                                           "prerequisite cycle: " + " → ".join(cycle + [cycle[0]])))


def _cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected group (each reported once, from its smallest node)."""
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        stack: list[str] = []
        on_stack: set[str] = set()

        def visit(node: str) -> None:
            if node in on_stack:
                cycle = stack[stack.index(node):]
                if not any(set(cycle) == set(c) for c in cycles):
                    cycles.append(cycle)
                return
            if node in done:
                return
            stack.append(node)
            on_stack.add(node)
            for nxt in graph.get(node, []):
                visit(nxt)
            stack.pop()
            on_stack.discard(node)
            done.add(node)

        visit(start)
    return cycles


def _links(tree: ContentTree, problems: list[Problem]) -> None:
    pages = tree.file_index()
    sources = [(c.source, c.references) for c in tree.courses]
    sources += [(l.source, l.references) for c in tree.courses for l in c.lessons]
    sources += [(t.source, t.references) for t in tree.tracks]
    for source, refs in sources:
        for ref in refs:
            target = resolve(tree.root, source, ref.target)
            what = "image" if ref.image else "link"
            if isinstance(target, str):
                problems.append(Problem(source.rel, ref.line, what, f"broken {what}: {target}"))
            elif target.kind == "external" and target.suffix not in SAFE_SCHEMES:
                problems.append(Problem(source.rel, ref.line, what,
                                        f"'{target.suffix}:' {what}s are removed when the lesson "
                                        "is rendered; use http, https or mailto", "warning"))
            elif target.kind == "page" and target.path not in pages:
                why = tree.unloaded.get(target.path, "is not a lesson or course.md")
                problems.append(Problem(source.rel, ref.line, what,
                                        f"broken {what}: '{ref.target}' {why}"))
            elif target.kind == "asset" and target.path.stat().st_size > MAX_ASSET_BYTES:
                problems.append(Problem(source.rel, ref.line, what,
                                        f"'{ref.target}' is larger than "
                                        f"{MAX_ASSET_BYTES // 1_000_000} MB"))


MAX_ASSET_BYTES = 20_000_000


def _rendering(tree: ContentTree, renderer: Renderer, problems: list[Problem]) -> None:
    sources = [c.source for c in tree.courses] + [t.source for t in tree.tracks]
    sources += [l.source for c in tree.courses for l in c.lessons]
    for source in sources:
        if source.renderable:
            try:
                renderer.render(source.body)
            except RenderError as exc:
                problems.append(render_problem(source, exc))


def render_problem(source: SourceFile, exc: RenderError) -> Problem:
    """A body that failed to render, reported at the body's first line."""
    return source.problem("markdown", str(exc), line=source.body_line)
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def _course_hook(tree: ContentTree, pm: Any, problems: list[Problem]) -> None:
    for course in tree.courses:
        for field_path, message in collect(pm.hook.lms_course_loaded(course=course)):
            problems.append(course.source.problem(str(field_path), str(message)))


__all__ = ["check_directory", "check_tree", "activity_types", "external_references",
           "render_problem", "CourseFile"]
