"""Course tree → parsed objects: frameworks, courses with their sections and lessons, tracks.

Layout (docs/authoring.md): ``frameworks/*.yml``, ``tracks/*.md``, and one folder per course
with ``course.md`` plus one Markdown file per lesson. A sub-folder of a course that holds
Markdown is a **section** (its title from an optional ``section.yml``, else the folder's name
made readable); sections nest ``MAX_SECTION_DEPTH`` deep, and the lessons of deeper folders
belong to their ancestor at that depth. Markdown files that are read as nothing are reported
as warnings with the reason. Loading never touches the database.
"""
from __future__ import annotations

import re
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
SECTION_FILE = "section.yml"
MAX_SECTION_DEPTH = 3  # chapter › section › subsection; deeper folders fold into the third
MAX_FOLDER_DEPTH = 12  # below this nothing is read (reported): trees are not bottomless


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
    section: str = ""  # the key of its section ("" when it is in the course folder itself)

    @property
    def meta(self) -> dict[str, Any]:
        return self.source.meta


@dataclass
class SectionFile:
    """A sub-folder of a course: ``key`` is its path below the course folder (POSIX),
    ``depth`` 1 for a folder in the course folder, 2 below that, and so on."""

    key: str
    title: str
    depth: int
    order: int | None = None
    source: SourceFile | None = None  # its section.yml, when there is one

    def stored(self) -> dict[str, Any]:
        """The section as kept with the course (``Course.sections``)."""
        return {"key": self.key, "title": self.title, "depth": self.depth}


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
    sections: list[SectionFile] = field(default_factory=list)  # in course order

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
    sections: list[SourceFile] = field(default_factory=list)  # every section.yml read
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
    ignored = _Ignored(files, problems)
    for path in root.iterdir():
        if _is_markdown(path):
            ignored.add(path, "a Markdown file at the top of the tree is not part of a course "
                              "(a course is a folder with a course.md; tracks go in tracks/)")
    ignored.skipped_folders(root)
    folders = {p.name: p for p in files.entries(root, _is_folder, problems)}
    if "frameworks" in folders:
        for path in files.entries(folders["frameworks"], _is_yaml, problems):
            framework = _load_framework(files, path, problems)
            if framework:
                tree.frameworks.append(framework)
        ignored.below(folders["frameworks"], "frameworks/ holds .yml files only", 0)
    if "tracks" in folders:
        for path in files.entries(folders["tracks"], _is_markdown, problems):
            track = _load_track(files, path, problems)
            if track:
                tree.tracks.append(track)
        for folder in files.entries(folders["tracks"], _is_folder, problems):
            ignored.below(folder, "tracks are read from tracks/*.md only", 1)
    unloaded: list[tuple[Path, str]] = []
    for name, folder in sorted(folders.items()):
        if name in SPECIAL_FOLDERS:
            continue
        if not (folder / "course.md").is_file():
            if ignored.has_markdown(folder, 0):
                tree.problems.append(Problem(files.rel(folder) + "/", 0, "course.md",
                                             "folder has lessons but no course.md "
                                             "(run 'lms courses adopt')"))
            continue
        course = _load_course(files, folder / "course.md", problems)
        walk = _CourseWalk(tree, files, folder, activity_types, ignored, course)
        walk.folder(folder, None, 0)
        if course is None:
            unloaded.append((folder / "course.md", "course"))
            unloaded.extend((path, "orphan") for path in walk.lesson_paths)
            continue
        unloaded.extend((path, "lesson") for path in walk.failed)
        for position, lesson in enumerate(course.lessons, start=1):
            lesson.position = position
        tree.courses.append(course)
    _unloaded(tree, files, unloaded, ignored)
    return tree


class _Ignored:
    """Markdown files that are read as nothing: each a warning with the reason."""

    def __init__(self, files: TreeFiles, problems: list[Problem]):
        self.files = files
        self.problems = problems
        self.reasons: dict[Path, str] = {}

    def add(self, path: Path, reason: str) -> None:
        if self.files.outside(path) is None:
            self.reasons[path.resolve()] = reason
            self.problems.append(Problem(self.files.rel(path), 0, "file",
                                         f"ignored: {reason}", "warning"))

    def below(self, folder: Path, reason: str, depth: int) -> None:
        """Every Markdown file in ``folder`` and below it (within the tree and its depth)."""
        for path, too_deep in self._markdown(folder, depth, set()):
            self.add(path, reason if not too_deep else self.too_deep)

    def skipped_folders(self, folder: Path) -> None:
        """Markdown in the folders of ``folder`` whose names start with '_' (dot folders, such
        as .git, are skipped without a word)."""
        for sub in sorted(folder.iterdir()):
            if sub.name.startswith("_") and sub.is_dir() and self.files.outside(sub) is None:
                self.below(sub, f"in '{sub.name}/': folders whose names start with '_' are "
                                "skipped", self.depth_of(sub))

    def has_markdown(self, folder: Path, depth: int) -> bool:
        return next(self._markdown(folder, depth, set()), None) is not None

    def depth_of(self, folder: Path) -> int:
        return len(folder.relative_to(self.files.root).parts)

    too_deep = f"nested more than {MAX_FOLDER_DEPTH} folders deep"

    def _markdown(self, folder: Path, depth: int, seen: set[Path]):
        resolved = folder.resolve()
        if depth > MAX_FOLDER_DEPTH or resolved in seen or self.files.outside(folder) is not None:
            return
        seen.add(resolved)  # a link back up the tree is followed once
        for path in sorted(folder.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir():
                if depth + 1 > MAX_FOLDER_DEPTH:
                    if self.files.outside(path) is None and any(
                            _is_markdown(p) for p in path.iterdir()):
                        yield path / "*.md", True
                    continue
                yield from self._markdown(path, depth + 1, seen)
            elif _is_markdown(path):
                yield path, False


class _CourseWalk:
    """One course folder, depth first: each folder's lessons (by ``order:``, then index.md or
    README.md, then file name), then its sub-folders (sections, by ``order:`` in section.yml,
    then folder name)."""

    def __init__(self, tree: ContentTree, files: TreeFiles, root: Path,
                 activity_types: Mapping[str, Any], ignored: _Ignored, course: CourseFile | None):
        self.tree, self.files, self.root = tree, files, root
        self.types, self.ignored, self.course = activity_types, ignored, course
        self.lesson_paths: list[Path] = []
        self.failed: list[Path] = []
        self.seen: set[Path] = set()

    def folder(self, folder: Path, section: SectionFile | None, depth: int) -> int:
        """Load ``folder``'s lessons into ``section``; returns how many Markdown files it and
        its sub-folders hold."""
        problems = self.tree.problems
        resolved = folder.resolve()
        if resolved in self.seen:  # a link to a folder of the course itself
            problems.append(Problem(self.files.rel(folder) + "/", 0, "folder",
                                    "leads (through a symbolic link) to a folder the course "
                                    "already reads; it is read once"))
            return 0
        self.seen.add(resolved)
        paths = [p for p in self.files.entries(folder, _is_markdown, problems)
                 if depth or p.name != "course.md"]
        self.lesson_paths.extend(paths)
        lessons = []
        for path in paths:
            lesson = _load_lesson(self.files, path, self.types, problems) if self.course else None
            if lesson is None:
                self.failed.append(path)
                continue
            lesson.section = section.key if section else ""
            lessons.append(lesson)
        lessons.sort(key=_lesson_order)
        if self.course is not None:
            self.course.lessons.extend(lessons)
        found = len(paths)
        self.ignored.skipped_folders(folder)
        subfolders = self.files.entries(folder, _is_folder, problems)
        if depth + 1 > MAX_FOLDER_DEPTH:
            for sub in subfolders:
                self.ignored.below(sub, self.ignored.too_deep, MAX_FOLDER_DEPTH + 1)
            return found
        children = [(self._section(sub, depth + 1, section), sub) for sub in subfolders]
        children.sort(key=lambda c: (c[0].order is None, c[0].order or 0, c[1].name))
        for child, sub in children:
            nested = child.depth <= MAX_SECTION_DEPTH
            at = len(self.course.sections) if self.course is not None else 0
            if nested and self.course is not None:
                self.course.sections.append(child)
            held = self.folder(sub, child if nested else section, depth + 1)
            if held == 0 and nested and self.course is not None:
                self.course.sections.pop(at)  # media/ and the like: no section
            found += held
        return found

    def _section(self, folder: Path, depth: int, parent: SectionFile | None) -> SectionFile:
        key = folder.relative_to(self.root).as_posix()
        section = SectionFile(key, readable_title(folder.name), depth)
        meta_path = folder / SECTION_FILE
        if meta_path.is_file() and self.files.outside(meta_path) is None:
            raw = self.files.read(meta_path, self.tree.problems)
            if raw is not None:
                source, found = parse_yaml_file(meta_path, self.files.rel(meta_path), raw)
                self.tree.problems.extend(found)
                if not any(p.is_error for p in found):
                    meta = F.check_mapping(source, source.meta, F.SECTION, "", self.tree.problems)
                    section.title = meta["title"] or section.title
                    section.order = meta["order"]
                    section.source = source
                    self.tree.sections.append(source)
        return section


INDEX_NAMES = {"index.md", "readme.md"}  # a folder's introduction: its first lesson


def _lesson_order(lesson: LessonFile) -> tuple:
    """``order:`` first, then index.md or README.md (a section's introduction), then by name."""
    name = lesson.source.path.name
    return (lesson.order is None, lesson.order or 0, name.lower() not in INDEX_NAMES, name)


# Words whose spelling a folder name loses ("javascript_basics" → "JavaScript basics").
KNOWN_WORDS = {w.lower(): w for w in (
    "JavaScript", "TypeScript", "Python", "HTML", "CSS", "SQL", "JSON", "YAML", "API", "PHP",
    "Java", "GitHub", "Git", "Linux", "Windows", "iOS", "Android", "ICT", "AI", "PDG", "BPV",
    "LOB", "VELON", "NLQF", "po", "vo", "mbo", "hbo", "wo", "so", "ADHD", "AVG", "GDPR", "CV",
    "Excel", "Word", "PowerPoint", "Teams", "Markdown", "Node.js", "React", "Vue")}


def readable_title(name: str) -> str:
    """A title from a file or folder name: number prefixes and separators out, the first
    letter capitalised, known words spelled right ("02_javascript-basics" → "JavaScript
    basics"); words written with capitals inside (PDG, iPad) are kept as written."""
    stem = re.sub(r"^[\d]+[\s._-]*", "", name) or name
    words = [w for w in re.split(r"[\s_-]+", stem) if w]
    shown = []
    for word in words:
        if word.lower() in KNOWN_WORDS:
            shown.append(KNOWN_WORDS[word.lower()])
        elif any(c.isupper() for c in word[1:]):
            shown.append(word)
        else:
            shown.append(word.lower())
    text = " ".join(shown) or name
    return text[0].upper() + text[1:]


def _unloaded(tree: ContentTree, files: TreeFiles, paths: list[tuple[Path, str]],
              ignored: _Ignored) -> None:
    """Remember why files are no lesson or course, so that a link to one says so."""
    first: dict[str, Problem] = {}
    for problem in tree.problems:
        if problem.is_error:
            first.setdefault(problem.path, problem)

    def broken(path: Path) -> str:
        found = first.get(files.rel(path))
        return f" ({found.path}:{found.line}: {found.field})" if found else ""

    course_md: Path | None = None
    for path, what in paths:
        if what == "course":
            course_md = path
            reason = f"is a course.md whose front matter is broken{broken(path)}"
        elif what == "orphan":
            reason = f"is in a course whose course.md could not be loaded{broken(course_md)}"
        else:
            reason = f"is a lesson whose front matter is broken{broken(path)}"
        tree.unloaded[path.resolve()] = reason
    for path, reason in ignored.reasons.items():
        tree.unloaded.setdefault(path, f"is ignored: {reason}")


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
