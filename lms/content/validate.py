"""Checks across files: unique ids, known competences and courses, links, prerequisite cycles,
and the ``lms_course_loaded`` hook."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lms.content.limits import Limits
from lms.content.loader import ContentTree, CourseFile, load_tree, resolve
from lms.content.parse import SourceFile
from lms.content.problems import Problem
from lms.content.render import RenderError, Renderer


def check_tree(tree: ContentTree, pm: Any | None = None, render: bool = True) -> list[Problem]:
    """Every problem in a loaded tree (its load problems included), sorted by path and line.

    With ``pm`` and ``render``, every Markdown body is rendered as the importer would, within
    ``tree.limits``, so check reports what import would fail on. (The importer itself passes
    ``render=False`` and renders only the files that changed.)
    """
    problems = list(tree.problems)
    _unique_ids(tree, problems)
    _competences(tree, problems)
    _prerequisites(tree, problems)
    _tracks(tree, problems)
    _links(tree, problems)
    if pm is not None:
        _course_hook(tree, pm, problems)
        if render:
            _rendering(tree, Renderer.for_plugins(pm, tree.limits.render_seconds), problems)
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.field, p.message))


def check_directory(root: Path) -> list[Problem]:
    """Load and check a course tree with the current app's lesson types and plugins."""
    from flask import current_app

    from lms.plugins import get_pm

    pm = get_pm(current_app)
    tree = load_tree(Path(root), activity_types(pm), Limits.from_config(current_app.config))
    return check_tree(tree, pm)


def activity_types(pm: Any) -> dict[str, Any]:
    """Lesson types registered by plugins, by name."""
    types: dict[str, Any] = {}
    for result in pm.hook.lms_activity_types():
        for activity in result if isinstance(result, (list, tuple)) else [result]:
            if activity is not None:
                types[activity.name] = activity
    return types


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


def _competences(tree: ContentTree, problems: list[Problem]) -> None:
    known = {f"{f.slug}:{item['code']}" for f in tree.frameworks for item in f.items}
    frameworks = {f.slug for f in tree.frameworks}

    def check(source: SourceFile, codes: list[str]) -> None:
        for index, code in enumerate(codes):
            if code in known:
                continue
            framework = code.split(":", 1)[0]
            reason = (f"unknown competence '{code}'" if framework in frameworks else
                      f"unknown competence '{code}': no framework '{framework}' in frameworks/")
            problems.append(source.problem(f"competences[{index}]", reason))

    for course in tree.courses:
        check(course.source, course.competences)
        for lesson in course.lessons:
            check(lesson.source, lesson.competences)


def _prerequisites(tree: ContentTree, problems: list[Problem]) -> None:
    courses = {c.slug: c for c in tree.courses}
    graph: dict[str, list[str]] = {}
    for course in tree.courses:
        for index, slug in enumerate(course.prerequisites):
            if slug not in courses:
                problems.append(course.source.problem(f"prerequisites[{index}]",
                                                      f"unknown course '{slug}'"))
        graph[course.slug] = [s for s in course.prerequisites if s in courses]
    for cycle in _cycles(graph):
        source = courses[cycle[0]].source
        problems.append(source.problem("prerequisites",
                                       "prerequisite cycle: " + " → ".join(cycle + [cycle[0]])))


def _tracks(tree: ContentTree, problems: list[Problem]) -> None:
    courses = {c.slug for c in tree.courses}
    for track in tree.tracks:
        source = track.source
        if not track.courses and "courses" in source.meta:
            problems.append(source.problem("courses", "lists no courses"))
        in_track: dict[str, int] = {}
        for entry in track.courses:
            at = f"courses[{entry.index}]"
            if entry.course not in courses:
                problems.append(source.problem(f"{at}.course", f"unknown course '{entry.course}'"))
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
                problems.append(Problem(source.rel, ref.line, what,
                                        f"broken {what}: '{ref.target}' is not a lesson or course.md"))
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
        results = pm.hook.lms_course_loaded(course=course)
        for found in results:
            for field_path, message in found or []:
                problems.append(course.source.problem(str(field_path), str(message)))


__all__ = ["check_directory", "check_tree", "activity_types", "render_problem", "CourseFile"]
