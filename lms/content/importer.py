"""Course tree → database, all or nothing, keyed by the authors' stable ids.

Validation runs first; nothing is written when it finds an error. Rows are matched by id
(slug), never by file name or position, so renaming and reordering keep the same rows (and the
progress that points at them). Each file's content hash (raw bytes + the assets and pages it
links to + the renderer's fingerprint) decides whether it is rendered and written again: an
unchanged tree issues only the SELECTs that load the stored hashes. Disappeared courses,
lessons, tracks and competences are archived, and restored when they come back.
"""
from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import current_app
from sqlalchemy import insert, select, update

from lms.content.limits import Limits
from lms.content.loader import ContentTree, CourseFile, LessonFile, TrackFile, load_tree, resolve
from lms.content.parse import Reference, SourceFile
from lms.content.problems import ContentError, Problem, strict as make_strict
from lms.content.render import COURSE_URL, LESSON_URL, RenderError, Renderer
from lms.content.validate import activity_types, check_tree, render_problem
from lms.extensions import db
from lms.models.base import utcnow
from lms.models.content import (Asset, Competence, CompetenceFramework, Course, Lesson, Track,
                                TrackCourse)
from lms.plugins import get_pm

KINDS = ("frameworks", "competences", "courses", "lessons", "tracks", "assets")
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    archived: int = 0
    restored: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    """What an import did, per kind; ``str()`` is the report printed by ``lms courses import``."""

    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    warnings: list[Problem] = field(default_factory=list)

    def __getitem__(self, kind: str) -> Counts:
        return self.counts[kind]

    @property
    def changed_anything(self) -> bool:
        return any(c.added or c.changed or c.archived or c.restored for c in self.counts.values())

    def __str__(self) -> str:
        lines = []
        for kind in KINDS:
            c = self.counts[kind]
            lines.append(f"{kind:<12} {c.added} added, {c.changed} changed, {c.archived} archived, "
                         f"{c.restored} restored, {c.unchanged} unchanged")
        return "\n".join(lines)


@dataclass
class _Prepared:
    """A Markdown file ready for the write phase: its hash and how its links are rewritten."""

    source: SourceFile
    urls: dict[str, str]
    assets: dict[str, Path]  # sha256 → file
    hash: str


def import_directory(root: Path, *, strict: bool = False) -> ImportSummary:
    """Validate and import a course tree in one transaction (needs an app context).

    Raises ``ContentError`` with every problem when validation finds an error; ``strict``
    makes unknown keys errors.
    """
    root = Path(root)
    pm = get_pm(current_app)
    types = activity_types(pm)
    tree = load_tree(root, types, Limits.from_config(current_app.config))
    problems = check_tree(tree, pm, render=False)
    if strict:
        problems = make_strict(problems)
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    renderer = Renderer.for_plugins(pm, tree.limits.render_seconds)
    run = _Run(tree, renderer, _types_fingerprint(types))
    run.summary.warnings = problems
    try:
        run.write()
        if run.render_problems:  # the same RenderError check reports: nothing is kept
            raise ContentError(sorted(problems + run.render_problems))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return run.summary


def _types_fingerprint(types: dict[str, Any]) -> str:
    spec = ";".join(f"{name}:{','.join(sorted(getattr(t, 'fields', None) or {}))}"
                    for name, t in sorted(types.items()))
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Run:
    """One import: prepares hashes, then writes each kind with one SELECT and bulk statements."""

    def __init__(self, tree: ContentTree, renderer: Renderer, types_fingerprint: str):
        self.tree = tree
        self.renderer = renderer
        self.summary = ImportSummary()
        self.pages = tree.file_index()
        self.asset_shas: dict[Path, str] = {}
        self.salt = f"{renderer.fingerprint}|{types_fingerprint}".encode()
        self.now = utcnow()
        self.course_ids: dict[str, int] = {}
        self.render_problems: list[Problem] = []

    # --- preparation -------------------------------------------------------------------

    def prepare(self, source: SourceFile, refs: list[Reference]) -> _Prepared:
        urls: dict[str, str] = {}
        assets: dict[str, Path] = {}
        for ref in refs:
            target = resolve(self.tree.root, source, ref.target)
            if isinstance(target, str) or target.kind not in ("asset", "page"):
                continue
            path_part = ref.target.split("#", 1)[0].split("?", 1)[0]
            if target.kind == "page":
                course, lesson = self.pages[target.path]
                url = (LESSON_URL.format(course=course, lesson=lesson) if lesson
                       else COURSE_URL.format(course=course))
            else:
                sha = self.asset_shas.get(target.path)
                if sha is None:
                    sha = self.asset_shas[target.path] = _sha(target.path.read_bytes())
                assets[sha] = target.path
                url = f"/assets/{sha}/{quote(target.path.name)}"
            urls[path_part] = url
        digest = hashlib.sha256(self.salt)
        digest.update(source.raw)
        for key in sorted(urls):
            digest.update(f"\0{key}\0{urls[key]}".encode())
        return _Prepared(source, urls, assets, digest.hexdigest())

    def html(self, prepared: _Prepared) -> str:
        self.needed_assets.update(prepared.assets)
        try:
            return self.renderer.render(prepared.source.body, prepared.urls)
        except RenderError as exc:
            self.render_problems.append(render_problem(prepared.source, exc))
            return ""

    # --- writing -------------------------------------------------------------------------

    def write(self) -> None:
        self.needed_assets: dict[str, Path] = {}
        _write_frameworks(self)
        _write_courses(self)
        _write_lessons(self)
        _write_tracks(self)
        _write_assets(self)


def _write_frameworks(run: _Run) -> None:
    counts, competence_counts = run.summary["frameworks"], run.summary["competences"]
    stored = {row.slug: row for row in db.session.execute(
        select(CompetenceFramework.id, CompetenceFramework.slug, CompetenceFramework.content_hash))}
    changed: dict[int, Any] = {}
    for framework in run.tree.frameworks:
        digest = _sha(framework.source.raw)
        values = {"slug": framework.slug, "title": framework.title, "kind": framework.kind,
                  "description": framework.description, "audience": framework.audience,
                  "sectors": framework.sectors, "source_path": framework.source.rel,
                  "content_hash": digest}
        row = stored.get(framework.slug)
        if row is None:
            new_id = db.session.execute(insert(CompetenceFramework).returning(
                CompetenceFramework.id), [values]).scalar_one()
            changed[new_id] = framework
            counts.added += 1
        elif row.content_hash != digest:
            db.session.execute(update(CompetenceFramework), [{"id": row.id, **values}])
            changed[row.id] = framework
            counts.changed += 1
        else:
            counts.unchanged += 1
            competence_counts.unchanged += len(framework.items)
    if not changed:
        return
    existing: dict[tuple[int, str], Any] = {
        (r.framework_id, r.code): r for r in db.session.execute(
            select(Competence.id, Competence.framework_id, Competence.code, Competence.archived)
            .where(Competence.framework_id.in_(list(changed))))}
    inserts, updates, seen = [], [], set()
    for framework_id, framework in changed.items():
        for item in framework.items:
            key = (framework_id, item["code"])
            seen.add(key)
            values = {"title": item["title"], "description": item["description"],
                      "position": item["position"], "detail": item["detail"], "archived": False}
            if key in existing:
                updates.append({"id": existing[key].id, **values})
                if existing[key].archived:
                    competence_counts.restored += 1
                else:
                    competence_counts.changed += 1
            else:
                inserts.append({"framework_id": framework_id, "code": item["code"], **values})
                competence_counts.added += 1
    for key, row in existing.items():
        if key not in seen and not row.archived:
            updates.append({"id": row.id, "archived": True})
            competence_counts.archived += 1
    _bulk(Competence, inserts, updates)


def _course_values(run: _Run, course: CourseFile, prepared: _Prepared) -> dict[str, Any]:
    return {"slug": course.slug, "title": course.title, "summary": course.summary,
            "audience": course.audience, "sectors": course.sectors, "language": course.language,
            "hours": course.hours, "nlqf": course.nlqf, "competences": course.competences,
            "prerequisites": course.prerequisites, "version": course.version,
            "intro_html": run.html(prepared), "source_path": course.source.rel,
            "content_hash": prepared.hash, "archived": False, "updated_at": run.now}


def _write_courses(run: _Run) -> None:
    counts = run.summary["courses"]
    stored = {row.slug: row for row in db.session.execute(
        select(Course.id, Course.slug, Course.content_hash, Course.source_path, Course.archived))}
    inserts, updates = [], []
    for course in run.tree.courses:
        prepared = run.prepare(course.source, course.references)
        row = stored.pop(course.slug, None)
        if row is None:
            inserts.append(_course_values(run, course, prepared))
            counts.added += 1
            continue
        run.course_ids[course.slug] = row.id
        if row.content_hash != prepared.hash:
            updates.append({"id": row.id, **_course_values(run, course, prepared)})
        elif row.archived or row.source_path != course.source.rel:
            updates.append({"id": row.id, "archived": False, "source_path": course.source.rel})
        _count(counts, row, prepared.hash)
    for row in stored.values():
        if not row.archived:
            updates.append({"id": row.id, "archived": True})
            counts.archived += 1
        run.course_ids[row.slug] = row.id
    if inserts:
        result = db.session.execute(insert(Course).returning(Course.id, Course.slug), inserts)
        run.course_ids.update({slug: id_ for id_, slug in result})
    _bulk(Course, [], updates)


def _count(counts: Counts, row: Any, digest: str) -> None:
    if row.archived:
        counts.restored += 1
    elif row.content_hash != digest:
        counts.changed += 1
    else:
        counts.unchanged += 1


def _lesson_values(run: _Run, lesson: LessonFile, prepared: _Prepared) -> dict[str, Any]:
    return {"slug": lesson.slug, "title": lesson.title, "type": lesson.type,
            "position": lesson.position, "minutes": lesson.minutes, "required": lesson.required,
            "competences": lesson.competences, "settings": lesson.settings,
            "html": run.html(prepared), "source_path": lesson.source.rel,
            "content_hash": prepared.hash, "archived": False, "updated_at": run.now}


def _write_lessons(run: _Run) -> None:
    counts = run.summary["lessons"]
    stored = {(row.course_id, row.slug): row for row in db.session.execute(
        select(Lesson.id, Lesson.course_id, Lesson.slug, Lesson.content_hash, Lesson.position,
               Lesson.source_path, Lesson.archived))}
    inserts, updates = [], []
    present_courses: set[int] = set()
    seen: set[tuple[int, str]] = set()
    for course in run.tree.courses:
        course_id = run.course_ids[course.slug]
        present_courses.add(course_id)
        for lesson in course.lessons:
            prepared = run.prepare(lesson.source, lesson.references)
            key = (course_id, lesson.slug)
            seen.add(key)
            row = stored.get(key)
            if row is None:
                inserts.append({"course_id": course_id, **_lesson_values(run, lesson, prepared)})
                counts.added += 1
                continue
            if row.content_hash != prepared.hash:
                updates.append({"id": row.id, **_lesson_values(run, lesson, prepared)})
            elif (row.archived or row.position != lesson.position
                  or row.source_path != lesson.source.rel):
                updates.append({"id": row.id, "archived": False, "position": lesson.position,
                                "source_path": lesson.source.rel})
            _count(counts, row, prepared.hash)
    for key, row in stored.items():
        if key not in seen and row.course_id in present_courses and not row.archived:
            updates.append({"id": row.id, "archived": True})
            counts.archived += 1
    _bulk(Lesson, inserts, updates)


def _track_values(run: _Run, track: TrackFile, prepared: _Prepared) -> dict[str, Any]:
    return {"slug": track.slug, "title": track.title, "summary": track.summary,
            "audience": track.audience, "sectors": track.sectors, "language": track.language,
            "nlqf": track.nlqf, "intro_html": run.html(prepared),
            "duration_months": track.duration_months, "hours_target": track.hours_target,
            "credential_name": track.credential_name,
            "credential_validity_years": track.credential_validity_years,
            "source_path": track.source.rel, "content_hash": prepared.hash, "archived": False}


def _write_tracks(run: _Run) -> None:
    counts = run.summary["tracks"]
    stored = {row.slug: row for row in db.session.execute(
        select(Track.id, Track.slug, Track.content_hash, Track.source_path, Track.archived))}
    updates: list[dict[str, Any]] = []
    rewritten: dict[int, TrackFile] = {}
    for track in run.tree.tracks:
        prepared = run.prepare(track.source, track.references)
        row = stored.pop(track.slug, None)
        if row is None:
            new_id = db.session.execute(insert(Track).returning(Track.id),
                                        [_track_values(run, track, prepared)]).scalar_one()
            rewritten[new_id] = track
            counts.added += 1
            continue
        if row.content_hash != prepared.hash:
            updates.append({"id": row.id, **_track_values(run, track, prepared)})
            rewritten[row.id] = track
        elif row.archived or row.source_path != track.source.rel:
            updates.append({"id": row.id, "archived": False, "source_path": track.source.rel})
        _count(counts, row, prepared.hash)
    for row in stored.values():
        if not row.archived:
            updates.append({"id": row.id, "archived": True})
            counts.archived += 1
    _bulk(Track, [], updates)
    if rewritten:
        _write_track_courses(run, rewritten)


def _write_track_courses(run: _Run, tracks: dict[int, TrackFile]) -> None:
    existing = {(r.track_id, r.course_id): r.id for r in db.session.execute(
        select(TrackCourse.id, TrackCourse.track_id, TrackCourse.course_id)
        .where(TrackCourse.track_id.in_(list(tracks))))}
    inserts, updates, keep = [], [], set()
    for track_id, track in tracks.items():
        for position, entry in enumerate(track.courses, start=1):
            key = (track_id, run.course_ids[entry.course])
            values = {"required": entry.required, "position": position, "after": entry.after}
            if key in existing:
                updates.append({"id": existing[key], **values})
            else:
                inserts.append({"track_id": key[0], "course_id": key[1], **values})
            keep.add(key)
    _bulk(TrackCourse, inserts, updates)
    gone = [row_id for key, row_id in existing.items() if key not in keep]
    if gone:
        db.session.execute(TrackCourse.__table__.delete().where(TrackCourse.id.in_(gone)))


def _write_assets(run: _Run) -> None:
    counts = run.summary["assets"]
    if not run.needed_assets:
        return
    shas = list(run.needed_assets)
    stored: set[str] = set()
    for start in range(0, len(shas), 500):
        stored.update(db.session.scalars(
            select(Asset.sha256).where(Asset.sha256.in_(shas[start:start + 500]))))
    inserts = []
    for sha, path in run.needed_assets.items():
        if sha in stored:
            counts.unchanged += 1
            continue
        data = path.read_bytes()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        inserts.append({"sha256": sha, "filename": path.name, "media_type": media_type,
                        "size": len(data), "data": data})
        counts.added += 1
    _bulk(Asset, inserts, [])


def _bulk(model: Any, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    """Executemany INSERT and UPDATE-by-primary-key, grouped by key set."""
    if inserts:
        db.session.execute(insert(model), inserts)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for rows in groups.values():
        db.session.execute(update(model), rows)
