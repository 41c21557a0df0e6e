"""Course tree → parsed objects: frameworks, courses with their lessons, tracks.

Layout (docs/authoring.md): ``frameworks/*.yml``, ``tracks/*.md``, and one folder per course
with ``course.md`` plus one Markdown file per lesson. Loading never touches the database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lms.content import fields as F
from lms.content.limits import Limits, TreeFiles
from lms.content.parse import (Reference, SourceFile, parse_markdown_file, parse_yaml_file,
                               references)
from lms.content.problems import Problem
from lms.content.shape import shape_problems

SPECIAL_FOLDERS = {"frameworks", "tracks"}
COMMON_LESSON_KEYS = set(F.LESSON)


@dataclass
class FrameworkFile:
    source: SourceFile
    slug: str
    title: str
    kind: str
    description: str
    items: list[dict[str, Any]]  # code, title, description, position, detail
    audience: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)


@dataclass
class LessonFile:
    source: SourceFile
    slug: str
    title: str
    type: str
    order: int | None
    minutes: int
    required: bool
    competences: list[str]
    settings: dict[str, Any]  # the lesson type's own front-matter keys
    references: list[Reference]
    position: int = 0

    @property
    def meta(self) -> dict[str, Any]:
        return self.source.meta


@dataclass
class CourseFile:
    """A parsed course: what ``lms_course_loaded(course)`` receives."""

    source: SourceFile
    folder: str
    slug: str
    title: str
    summary: str
    audience: list[str]
    sectors: list[str]
    language: str
    hours: float
    nlqf: int | None
    competences: list[str]
    prerequisites: list[str]
    version: str
    references: list[Reference]
    lessons: list[LessonFile] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, Any]:
        return self.source.meta


@dataclass
class TrackEntry:
    course: str
    required: bool
    after: list[str]
    index: int  # position in the ``courses:`` list, for line numbers


@dataclass
class TrackFile:
    source: SourceFile
    slug: str
    title: str
    summary: str
    audience: list[str]
    sectors: list[str]
    language: str
    nlqf: int | None
    duration_months: int | None
    hours_target: float | None
    credential_name: str | None
    credential_validity_years: int | None
    courses: list[TrackEntry]
    references: list[Reference]


@dataclass
class ContentTree:
    root: Path
    frameworks: list[FrameworkFile] = field(default_factory=list)
    courses: list[CourseFile] = field(default_factory=list)
    tracks: list[TrackFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    # Resolved path of a Markdown file that is not a lesson or course → why (for link messages).
    unloaded: dict[Path, str] = field(default_factory=dict)
    _index: dict | None = field(default=None, repr=False)

    def file_index(self) -> dict[Path, tuple[str, str | None]]:
        """Resolved path of every course.md and lesson file → (course slug, lesson slug)."""
        if self._index is None:
            index: dict[Path, tuple[str, str | None]] = {}
            for course in self.courses:
                index[course.source.path.resolve()] = (course.slug, None)
                for lesson in course.lessons:
                    index[lesson.source.path.resolve()] = (course.slug, lesson.slug)
            self._index = index
        return self._index


def load_tree(root: Path, activity_types: Mapping[str, Any],
              limits: Limits | None = None) -> ContentTree:
    """Parse every file under ``root``; problems found on the way are in ``tree.problems``."""
    root = Path(root)
    tree = ContentTree(root=root, limits=limits or Limits())
    if not root.is_dir():
        tree.problems.append(Problem(str(root), 0, "directory", "does not exist"))
        return tree
    files = TreeFiles(root, tree.limits)
    problems = tree.problems
    folders = {p.name: p for p in files.entries(root, _is_folder, problems)}
    if "frameworks" in folders:
        for path in files.entries(folders["frameworks"], _is_yaml, problems):
            framework = _load_framework(files, path, problems)
            if framework:
                tree.frameworks.append(framework)
    if "tracks" in folders:
        for path in files.entries(folders["tracks"], _is_markdown, problems):
            track = _load_track(files, path, problems)
            if track:
                tree.tracks.append(track)
    for name, folder in sorted(folders.items()):
        if name in SPECIAL_FOLDERS:
            continue
        markdown = files.entries(folder, _is_markdown, problems)
        lesson_paths = [p for p in markdown if p.name != "course.md"]
        if len(lesson_paths) == len(markdown):
            if lesson_paths:
                tree.problems.append(Problem(files.rel(folder) + "/", 0, "course.md",
                                             "folder has lessons but no course.md "
                                             "(run 'lms courses adopt')"))
            continue
        course = _load_course(files, folder / "course.md", problems)
        if course is None:
            _unloaded(tree, files, [folder / "course.md"] + lesson_paths, "course")
            continue
        for path in lesson_paths:
            lesson = _load_lesson(files, path, activity_types, problems)
            if lesson:
                course.lessons.append(lesson)
            else:
                _unloaded(tree, files, [path], "lesson")
        course.lessons.sort(key=lambda l: (l.order is None, l.order or 0, l.source.path.name))
        for position, lesson in enumerate(course.lessons, start=1):
            lesson.position = position
        tree.courses.append(course)
    return tree


def _unloaded(tree: ContentTree, files: TreeFiles, paths: list[Path], what: str) -> None:
    """Remember why files did not load, so that a link to one says so."""
    def broken(path: Path) -> str:
        rel = files.rel(path)
        first = next((p for p in tree.problems if p.path == rel and p.is_error), None)
        return f" ({first.path}:{first.line}: {first.field})" if first else ""

    if what == "course":
        course_md, *lessons = paths
        tree.unloaded[course_md.resolve()] = (f"is a course.md whose front matter is broken"
                                             f"{broken(course_md)}")
        for path in lessons:
            tree.unloaded[path.resolve()] = (f"is in a course whose course.md could not be "
                                             f"loaded{broken(course_md)}")
        return
    for path in paths:
        tree.unloaded[path.resolve()] = f"is a lesson whose front matter is broken{broken(path)}"


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith((".", "_"))


def _is_yaml(path: Path) -> bool:
    return path.suffix in (".yml", ".yaml") and path.is_file()


def _is_markdown(path: Path) -> bool:
    return path.suffix == ".md" and path.is_file()


def _markdown(files: TreeFiles, path: Path, problems: list[Problem]) -> SourceFile | None:
    raw = files.read(path, problems)
    if raw is None:
        return None
    source, found = parse_markdown_file(path, files.rel(path), raw)
    problems.extend(found)
    if found and any(p.is_error for p in found):
        return None
    if not source.has_front_matter:
        problems.append(Problem(source.rel, 1, "front matter",
                                "missing: the file must start with a '---' block "
                                "(run 'lms courses adopt')"))
        return None
    for index, message in shape_problems(source.body):
        problems.append(Problem(source.rel, source.body_line + index, "markdown", message))
        source.renderable = False
    return source


def _load_framework(files: TreeFiles, path: Path, problems: list[Problem]) -> FrameworkFile | None:
    raw = files.read(path, problems)
    if raw is None:
        return None
    source, found = parse_yaml_file(path, files.rel(path), raw)
    problems.extend(found)
    if any(p.is_error for p in found):
        return None
    meta = F.check_mapping(source, source.meta, F.FRAMEWORK, "", problems)
    items_raw = source.meta.get("items")
    items: list[dict[str, Any]] = []
    if items_raw is not None and not isinstance(items_raw, list):
        problems.append(source.problem("items", "must be a list of items with code and title"))
        items_raw = []
    seen: set[str] = set()
    for index, raw in enumerate(items_raw or []):
        item = F.check_mapping(source, raw, F.FRAMEWORK_ITEM, f"items[{index}]", problems)
        code = item["code"]
        if code is None:
            continue
        if code in seen:
            problems.append(source.problem(f"items[{index}].code", f"duplicate code '{code}'"))
            continue
        seen.add(code)
        detail = {"routes": item["routes"]} if item["routes"] else None
        items.append({"code": code, "title": item["title"] or code,
                      "description": item["description"], "position": index + 1,
                      "detail": detail})
    if meta["id"] is None:
        return None
    return FrameworkFile(source, meta["id"], meta["title"] or meta["id"], meta["kind"],
                         meta["description"], items, meta["audience"], meta["sectors"])


def _load_course(files: TreeFiles, path: Path, problems: list[Problem]) -> CourseFile | None:
    source = _markdown(files, path, problems)
    if source is None:
        return None
    meta = F.check_mapping(source, source.meta, F.COURSE, "", problems)
    if meta["id"] is None:
        return None
    return CourseFile(source=source, folder=files.rel(path.parent), slug=meta["id"],
                      title=meta["title"] or meta["id"], summary=meta["summary"],
                      audience=meta["audience"], sectors=meta["sectors"],
                      language=meta["language"], hours=meta["hours"], nlqf=meta["nlqf"],
                      competences=meta["competences"], prerequisites=meta["prerequisites"],
                      version=meta["version"], references=references(source))


def _load_lesson(files: TreeFiles, path: Path, activity_types: Mapping[str, Any],
                 problems: list[Problem]) -> LessonFile | None:
    source = _markdown(files, path, problems)
    if source is None:
        return None
    type_name = source.meta.get("type")
    activity = activity_types.get(type_name) if isinstance(type_name, str) else None
    type_fields = dict(getattr(activity, "fields", None) or {})
    meta = F.check_mapping(source, source.meta, F.LESSON, "", problems,
                           extra_keys=type_fields or None)
    if isinstance(type_name, str) and activity is None:
        known = ", ".join(sorted(activity_types)) or "none"
        problems.append(source.problem("type", f"unknown lesson type '{type_name}' (known: {known})"))
    elif activity is not None and activity.validate is not None:
        try:
            found = activity.validate(source.meta) or []
        except Exception as exc:  # a broken type plugin must not hide the other problems
            found = [("type", f"the '{type_name}' type failed to validate: {exc!r}")]
        for field_path, message in found:
            problems.append(source.problem(str(field_path), str(message)))
    if meta["id"] is None:
        return None
    settings = {key: source.meta[key] for key in type_fields if key in source.meta}
    return LessonFile(source=source, slug=meta["id"], title=meta["title"] or meta["id"],
                      type=meta["type"] or "page", order=meta["order"], minutes=meta["minutes"],
                      required=meta["required"], competences=meta["competences"],
                      settings=settings, references=references(source))


def _load_track(files: TreeFiles, path: Path, problems: list[Problem]) -> TrackFile | None:
    source = _markdown(files, path, problems)
    if source is None:
        return None
    meta = F.check_mapping(source, source.meta, F.TRACK, "", problems)
    credential = {"name": None, "validity_years": None}
    if meta["credential"] is not None:
        credential = F.check_mapping(source, meta["credential"], F.CREDENTIAL, "credential",
                                     problems)
    entries: list[TrackEntry] = []
    raw_courses = meta["courses"]
    if raw_courses is not None and not isinstance(raw_courses, list):
        problems.append(source.problem("courses", "must be a list of '- course: <id>' entries"))
        raw_courses = []
    for index, raw in enumerate(raw_courses or []):
        if isinstance(raw, str):  # shorthand: "- course-id" means a required course
            raw = {"course": raw}
        entry = F.check_mapping(source, raw, F.TRACK_COURSE, f"courses[{index}]", problems)
        if entry["course"]:
            entries.append(TrackEntry(entry["course"], entry["required"], entry["after"], index))
    if meta["id"] is None:
        return None
    return TrackFile(source=source, slug=meta["id"], title=meta["title"] or meta["id"],
                     summary=meta["summary"], audience=meta["audience"], sectors=meta["sectors"],
                     language=meta["language"], nlqf=meta["nlqf"],
                     duration_months=meta["duration_months"], hours_target=meta["hours_target"],
                     credential_name=credential["name"],
                     credential_validity_years=credential["validity_years"],
                     courses=entries, references=references(source))


@dataclass(frozen=True)
class Target:
    """Where a body reference points: ``kind`` is external, anchor, site, asset or page."""

    kind: str
    path: Path | None = None  # resolved file, for asset and page
    suffix: str = ""  # "#fragment" / "?query" kept on the rewritten URL


def resolve(root: Path, source: SourceFile, target: str) -> Target | str:
    """Classify a link target; a string result is the problem message for a broken one."""
    try:
        return _resolve(root, source, target)
    except (OSError, ValueError) as exc:  # 'http://[x', '%00', a name too long for the disk
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"'{target}' is not a usable address ({reason})"


def _resolve(root: Path, source: SourceFile, target: str) -> Target | str:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return Target("external", suffix=parts.scheme.lower())
    if not parts.path:
        return Target("anchor")
    if parts.path.startswith("/"):
        return Target("site")
    suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    resolved = (source.path.parent / unquote(parts.path)).resolve()
    try:
        resolved.relative_to(root.resolve())
    except ValueError:
        return f"'{target}' points outside the course tree"
    if not resolved.is_file():
        return f"'{target}' does not exist"
    if resolved.suffix == ".md":
        return Target("page", resolved, suffix)
    return Target("asset", resolved, suffix)
