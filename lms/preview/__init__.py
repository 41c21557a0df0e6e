"""Live preview of a course folder (``lms courses preview DIR``), as a learner would see it.

The folder is read again whenever a file in it changed (its names, sizes and modification
times are compared on each request), so a saved edit shows on the next page load; an open
page reloads itself when that happens. Lesson pages are rendered as the importer would, with
each lesson type's own ``render`` for quizzes, reflections and assignments, and the checker's
problems are shown on the page they belong to.

The preview never writes to the platform's database: the app it serves has a private,
empty, in-memory SQLite database that SQLite itself keeps read-only (``PRAGMA query_only``),
so plugin forms render as they do for a new learner and saving one does nothing. What other
sources imported (to resolve references to their courses and frameworks) is read from the
platform's database once, at start, when there is one. Only the preview's own pages and the
static files are served; the rest of the platform answers 404.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, \
    send_file, url_for
from markupsafe import Markup

from lms.content.limits import Limits, TreeFiles
from lms.content.loader import ContentTree, CourseFile, LessonFile, load_tree, resolve
from lms.content.parse import Reference, SourceFile
from lms.content.problems import Problem
from lms.content.render import RenderError, Renderer
from lms.content.sources import Imported, default_source
from lms.content.validate import activity_types, check_tree, external_references, render_problem

bp = Blueprint("preview", __name__, url_prefix="/preview", static_folder="static")

# What the preview app takes over from the platform's configuration.
KEPT_SETTINGS = ("PLUGINS_DIRS", "PLUGINS", "DISABLED_PLUGINS", "COURSE_FILE_MAX_BYTES",
                 "COURSE_RENDER_SECONDS", "SECRET_KEY", "BABEL_DEFAULT_LOCALE", "LANGUAGES",
                 "TESTING")
PREVIEW_LEARNER_ID = 2**31 - 1  # no such person: plugin queries find nothing


def create_preview_app(root: Path, *, source: str | None = None,
                       imported: Imported | None = None,
                       config: Mapping[str, Any] | None = None,
                       instance_path: str | Path | None = None) -> Flask:
    """An app that serves ``root`` as a preview; ``config`` is the platform's (plugins,
    limits, secret key and languages are kept; the database is never the platform's)."""
    from sqlalchemy import text
    from sqlalchemy.pool import StaticPool

    from lms import create_app
    from lms.extensions import db

    config = dict(config or {})
    settings = {key: config[key] for key in KEPT_SETTINGS if config.get(key) is not None}
    app = create_app({
        **settings,
        "INSTANCE_PATH": instance_path or os.environ.get("LMS_INSTANCE_PATH"),
        "DATABASE_URL": "sqlite://",
        "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": StaticPool,
                                      "connect_args": {"check_same_thread": False}},
        "JOBS_IMMEDIATE": False,
    })
    app.register_blueprint(bp)
    app.extensions["lms.preview"] = PreviewSite(Path(root), source or default_source(Path(root)),
                                                imported)
    # First of all (before CSRF checks, logins, throttles): nothing else of the platform.
    app.before_request_funcs.setdefault(None, []).insert(0, _only_the_preview)
    with app.app_context():
        db.create_all()
        db.session.execute(text("PRAGMA query_only = ON"))  # one connection, kept (StaticPool)
        db.session.commit()
    return app


def _only_the_preview():
    """The preview's pages and static files; everything else of the platform is a 404."""
    if request.endpoint is None or request.endpoint.startswith("preview.") \
            or request.endpoint == "static":
        return None
    if request.path == "/":
        return redirect(url_for("preview.index"))
    abort(404)


# --- the folder, read again when it changed ------------------------------------------------


@dataclass
class Loaded:
    """One reading of the folder: the tree, its problems by file, and lesson numbers."""

    tree: ContentTree
    problems: list[Problem]
    references: list[str]
    by_path: dict[str, list[Problem]] = field(default_factory=dict)
    lesson_ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def course(self, slug: str) -> CourseFile | None:
        return next((c for c in self.tree.courses if c.slug == slug), None)

    def course_problems(self, course: CourseFile) -> list[Problem]:
        """course.md's problems, and those of its files that are no lesson (they did not load,
        are ignored, or are a section.yml)."""
        lessons = {lesson.source.rel for lesson in course.lessons}
        prefix = course.folder + "/"
        return [p for p in self.problems if p.path == course.source.rel
                or (p.path.startswith(prefix) and p.path not in lessons)]

    def elsewhere(self) -> list[Problem]:
        """Problems that no course, lesson or track page shows."""
        shown = {c.source.rel for c in self.tree.courses} | {t.source.rel for t in self.tree.tracks}
        shown |= {l.source.rel for c in self.tree.courses for l in c.lessons}
        folders = tuple(c.folder + "/" for c in self.tree.courses)
        return [p for p in self.problems if p.path not in shown and not p.path.startswith(folders)]


class PreviewSite:
    """The folder being previewed; ``current()`` reads it again when a file changed."""

    def __init__(self, root: Path, source: str, imported: Imported | None):
        self.root = root
        self.source = source
        self.imported = imported
        self._token: str | None = None
        self._loaded: Loaded | None = None

    def token(self) -> str:
        """A fingerprint of every file's name, size and modification time under the root."""
        parts: list[str] = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def current(self) -> Loaded:
        token = self.token()
        if self._loaded is None or token != self._token:
            self._loaded = self._load()
            self._token = token
        return self._loaded

    def _load(self) -> Loaded:
        from lms.plugins import get_pm

        pm = get_pm(current_app)
        tree = load_tree(self.root, activity_types(pm), Limits.from_config(current_app.config))
        problems = check_tree(tree, pm, render=False, imported=self.imported)
        loaded = Loaded(tree, problems, external_references(tree, self.imported))
        for problem in problems:
            loaded.by_path.setdefault(problem.path, []).append(problem)
        number = 0
        for course in tree.courses:
            for lesson in course.lessons:
                number += 1
                loaded.lesson_ids[(course.slug, lesson.slug)] = number
        return loaded


def _site() -> PreviewSite:
    return current_app.extensions["lms.preview"]


# --- rendering -----------------------------------------------------------------------------


def _render_body(loaded: Loaded, source: SourceFile, refs: list[Reference]) -> tuple[Markup, list[Problem]]:
    """A file's Markdown as the importer renders it, with links to the preview's own pages
    and files; a failure is a problem on the page."""
    from lms.plugins import get_pm

    pages = loaded.tree.file_index()
    urls: dict[str, str] = {}
    for ref in refs:
        target = resolve(loaded.tree.root, source, ref.target)
        if isinstance(target, str) or target.kind not in ("asset", "page"):
            continue
        key = ref.target.split("#", 1)[0].split("?", 1)[0]
        if target.kind == "page":
            if target.path not in pages:
                continue
            course, lesson = pages[target.path]
            urls[key] = (url_for("preview.lesson", course_slug=course, lesson_slug=lesson)
                         if lesson else url_for("preview.course", course_slug=course))
        else:
            rel = target.path.relative_to(loaded.tree.root.resolve()).as_posix()
            urls[key] = url_for("preview.file", rel=rel)
    if not source.renderable:
        return Markup(""), []
    renderer = Renderer.for_plugins(get_pm(current_app), loaded.tree.limits.render_seconds)
    try:
        return Markup(renderer.render(source.body, urls)), []  # nosec B704 (sanitised by nh3)
    except RenderError as exc:
        return Markup(""), [render_problem(source, exc)]


def _activity(lesson: LessonFile, course: CourseFile, number: int, html: str) -> Markup | None:
    """The lesson type's own UI, from its plugin's ``render``, for a learner with no answers."""
    from lms.models import Course, Lesson, User
    from lms.plugins import get_pm

    activity = activity_types(get_pm(current_app)).get(lesson.type)
    if activity is None or activity.render is None:
        return None
    stored_course = Course(id=1, slug=course.slug, title=course.title)
    stored = Lesson(id=number, slug=lesson.slug, title=lesson.title, type=lesson.type,
                    settings=lesson.settings, html=html, minutes=lesson.minutes,
                    required=lesson.required, section=lesson.section, position=lesson.position,
                    course_id=1)
    stored.course = stored_course
    learner = User(id=PREVIEW_LEARNER_ID, name="Preview", email="preview@localhost")
    try:
        return Markup(activity.render(stored, learner))  # nosec B704 (autoescaped templates)
    except Exception as exc:  # noqa: BLE001  (a plugin's failure is shown, not a 500)
        return Markup("<p class=\"status-late\">{}</p>").format(
            f"The '{lesson.type}' type could not be shown: {exc!r}")


def _facts(loaded: Loaded, course: CourseFile) -> dict[str, Any]:
    from lms.accounts.people import role_label

    titles: dict[str, str] = {}
    for framework in loaded.tree.frameworks:
        for item in framework.items:
            titles[f"{framework.slug}:{item['code']}"] = f"{item['title']} ({framework.title})"
    return {"nlqf": course.nlqf, "hours": course.hours,
            "audience": [role_label(role) for role in course.audience],
            "competences": [titles.get(code, code) for code in course.competences]}


# --- pages ---------------------------------------------------------------------------------


@bp.get("/")
def index():
    site = _site()
    loaded = site.current()
    return render_template("preview/index.html", site=site, loaded=loaded,
                           problems=loaded.elsewhere(), token=site._token)


@bp.get("/cursussen/<course_slug>")
def course(course_slug: str):
    site = _site()
    loaded = site.current()
    found = loaded.course(course_slug) or abort(404)
    intro, failed = _render_body(loaded, found.source, found.references)
    sections = {s.key: s for s in found.sections}
    return render_template("preview/course.html", site=site, loaded=loaded, course=found,
                           intro=intro, facts=_facts(loaded, found), sections=sections,
                           starts=_section_starts(found),
                           problems=sorted(loaded.course_problems(found) + failed),
                           token=site._token)


def _section_starts(course: CourseFile) -> dict[str, list[Any]]:
    """Lesson slug → the sections that open at it (as on the course page)."""
    from lms.readmodels.pages import section_starts

    class _Row:  # what section_starts reads of a lesson
        def __init__(self, lesson: LessonFile):
            self.id, self.section = lesson.slug, lesson.section

    return section_starts([s.stored() for s in course.sections],
                          [_Row(lesson) for lesson in course.lessons])


@bp.get("/cursussen/<course_slug>/<lesson_slug>")
def lesson(course_slug: str, lesson_slug: str):
    site = _site()
    loaded = site.current()
    found = loaded.course(course_slug) or abort(404)
    lessons = found.lessons
    current = next((l for l in lessons if l.slug == lesson_slug), None) or abort(404)
    html, failed = _render_body(loaded, current.source, current.references)
    index = lessons.index(current)
    titles = {s.key: s.title for s in found.sections}
    trail, key = [], current.section
    while key:
        if key in titles:
            trail.insert(0, titles[key])
        key = key.rpartition("/")[0]
    return render_template(
        "preview/lesson.html", site=site, loaded=loaded, course=found, lesson=current,
        html=html, trail=trail,
        activity=_activity(current, found, loaded.lesson_ids[(found.slug, current.slug)], html),
        previous=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None,
        problems=sorted(loaded.by_path.get(current.source.rel, []) + failed), token=site._token)


@bp.get("/leerroutes/<slug>")
def track(slug: str):
    site = _site()
    loaded = site.current()
    found = next((t for t in loaded.tree.tracks if t.slug == slug), None) or abort(404)
    intro, failed = _render_body(loaded, found.source, found.references)
    here = {c.slug: c for c in loaded.tree.courses}
    other = site.imported.elsewhere("courses") if site.imported else {}
    return render_template("preview/track.html", site=site, loaded=loaded, track=found,
                           intro=intro, here=here, other=other,
                           problems=sorted(loaded.by_path.get(found.source.rel, []) + failed),
                           token=site._token)


@bp.get("/files/<path:rel>")
def file(rel: str):
    """A file of the folder (an image or download a lesson links to), never one outside it."""
    site = _site()
    path = site.root / rel
    files = TreeFiles(site.root, Limits())
    if ".." in Path(rel).parts or files.outside(path) is not None or not path.is_file():
        abort(404)
    from lms.content.importer import INLINE_IMAGE_TYPES

    inline = mimetypes.guess_type(path.name)[0] in INLINE_IMAGE_TYPES  # as the platform serves
    return send_file(path.resolve(), max_age=0, as_attachment=not inline)


@bp.get("/_changed")
def changed():
    """The folder's current fingerprint; an open page reloads when it differs from its own."""
    return {"token": _site().token()}
