"""Course tree → database, all or nothing, keyed by the authors' stable ids.

Validation runs first; nothing is written when it finds an error. Rows are matched by id
(slug), never by file name or position, so renaming and reordering keep the same rows (and the
progress that points at them). Each file's content hash (raw bytes + the assets and pages it
links to + the renderer's fingerprint) decides whether it is rendered and written again: an
unchanged tree issues only the SELECTs that load the stored hashes. Disappeared courses,
lessons, tracks and competences are archived, and restored when they come back.

Each import is of one **source** (``lms.content.sources``): it archives only what disappeared
from that source, refuses a row that belongs to another source unless told to move it
(``move_from``), and may refer to courses and frameworks that other sources imported.
``dry_run`` goes through everything, rendering included, and writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from flask import current_app
from sqlalchemy import insert, select, update

from lms.content.limits import Limits
from lms.content.loader import ContentTree, CourseFile, LessonFile, TrackFile, load_tree, resolve
from lms.content.parse import Reference, SourceFile
from lms.content.problems import ContentError, Problem, strict as make_strict
from lms.content.pool import render_all
from lms.content.render import COURSE_URL, LESSON_URL, RenderError, Renderer
from lms.content.sources import Imported, check_name, default_source
from lms.content.validate import activity_types, check_tree, external_references, render_problem
from lms.extensions import db
from lms.models.base import utcnow
from lms.models.content import (Asset, Competence, CompetenceFramework, ContentSource, Course,
                                Lesson, Track, TrackCourse)
from lms.plugins import get_pm
from lms.tracking.content import content_changed

KINDS = ("frameworks", "competences", "courses", "lessons", "tracks", "assets")
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    archived: int = 0
    restored: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Change:
    """What happened to one framework, course, lesson or track (``lms courses import -v``).

    ``what`` is added, changed, moved (from another source), archived, restored or unchanged;
    ``ref`` is the id (``course/lesson`` for a lesson)."""

    kind: str
    ref: str
    title: str
    what: str
    detail: str = ""

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.what:<10} {self.kind:<9} {self.ref}  {self.title}{detail}"


@dataclass
class ImportSummary:
    """What an import did, per kind; ``str()`` is the report printed by ``lms courses import``.

    ``changes`` names every framework, course, lesson and track with what happened to it;
    ``references`` the courses and frameworks it used from other sources."""

    source: str = ""
    dry_run: bool = False
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    warnings: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

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


def import_directory(root: Path, source: str | None = None, *, move_from: Iterable[str] = (),
                     dry_run: bool = False, strict: bool = False,
                     workers: int = 1) -> ImportSummary:
    """Validate and import a course tree as ``source`` (default: the folder's name) in one
    transaction (needs an app context).

    Raises ``ContentError`` with every problem when validation finds an error; ``strict``
    makes unknown keys errors. A row of another source is refused unless that source is in
    ``move_from`` (then it moves here). ``dry_run`` reports the same and writes nothing.
    ``workers`` > 1 renders a large tree in that many processes (``lms.content.pool``).
    """
    root = Path(root)
    source = check_name(source) if source is not None else default_source(root)
    pm = get_pm(current_app)
    types = activity_types(pm)
    tree = load_tree(root, types, Limits.from_config(current_app.config))
    imported = Imported.load(source)
    move_from = set(move_from)
    problems = check_tree(tree, pm, render=False, imported=imported, move_from=move_from)
    if strict:
        problems = make_strict(problems)
    if any(p.is_error for p in problems):
        db.session.rollback()
        raise ContentError(problems)
    renderer = Renderer.for_plugins(pm, tree.limits.render_seconds)
    run = _Run(tree, renderer, _types_fingerprint(types), source, move_from, dry_run, workers)
    run.summary.warnings = problems
    run.summary.references = external_references(tree, imported)
    try:
        run.write()
        if run.render_problems:  # the same RenderError check reports: nothing is kept
            raise ContentError(sorted(problems + run.render_problems))
        if dry_run:
            db.session.rollback()
        else:  # stored progress follows the edit: lessons move courses, track edits tracks
            edited = [c for c in run.summary.changes if c.what != "unchanged"]
            content_changed(
                courses={run.course_ids[c.ref.split("/")[0]] for c in edited if c.kind == "lesson"},
                tracks=db.session.scalars(select(Track.id).where(Track.slug.in_(
                    [c.ref for c in edited if c.kind == "track" and c.what != "archived"]))))
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

    def __init__(self, tree: ContentTree, renderer: Renderer, types_fingerprint: str,
                 source: str, move_from: set[str], dry_run: bool, workers: int = 1):
        self.tree = tree
        self.renderer = renderer
        self.source = source
        self.move_from = move_from
        self.dry_run = dry_run
        self.summary = ImportSummary(source=source, dry_run=dry_run)
        self.pages = tree.file_index()
        self.asset_shas: dict[Path, str] = {}
        self.salt = f"{renderer.fingerprint}|{types_fingerprint}".encode()
        self.now = utcnow()
        self.course_ids: dict[str, int] = {}
        self.render_problems: list[Problem] = []
        self.workers = workers
        self._pending: list[tuple[dict[str, Any], str, _Prepared]] = []
        self._fake_id = 0

    def note(self, kind: str, ref: str, title: str, what: str, detail: str = "") -> None:
        """Count what happened to one row and remember it for ``-v``."""
        counts = self.summary[kind + "s"]
        setattr(counts, what if what != "moved" else "changed",
                getattr(counts, what if what != "moved" else "changed") + 1)
        self.summary.changes.append(Change(kind, ref, title, what, detail))

    def moved_detail(self, row: Any) -> str:
        return f"from source '{row.source}'" if row.source != self.source else ""

    # --- the only places that write (none in a dry run) ----------------------------------

    def insert_returning(self, model: Any, rows: list[dict[str, Any]], *columns: Any) -> list[Any]:
        """INSERT ``rows`` and return ``columns`` of each (a dry run makes up negative ids)."""
        self.render_pending()
        if not rows:
            return []
        if self.dry_run:
            made = []
            for row in rows:
                self._fake_id -= 1
                made.append(tuple(self._fake_id if c.key == "id" else row[c.key] for c in columns))
            return made
        return list(db.session.execute(insert(model).returning(*columns), rows))

    def bulk(self, model: Any, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
        self.render_pending()
        if not self.dry_run:
            _bulk(model, inserts, updates)

    def delete(self, model: Any, ids: list[int]) -> None:
        if ids and not self.dry_run:
            db.session.execute(model.__table__.delete().where(model.id.in_(ids)))

    # --- preparation -------------------------------------------------------------------

    def prepare(self, source: SourceFile, refs: list[Reference], extra: bytes = b"") -> _Prepared:
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
        digest.update(extra)  # what else the row holds (a course's sections)
        for key in sorted(urls):
            digest.update(f"\0{key}\0{urls[key]}".encode())
        return _Prepared(source, urls, assets, digest.hexdigest())

    def with_html(self, values: dict[str, Any], key: str, prepared: _Prepared) -> dict[str, Any]:
        """``values``, whose ``key`` gets ``prepared``'s HTML before anything is written: the
        files of one write are rendered together (``lms.content.pool``), on every core
        ``workers`` allows."""
        self.needed_assets.update(prepared.assets)
        values[key] = ""
        self._pending.append((values, key, prepared))
        return values

    def render_pending(self) -> None:
        pending, self._pending = self._pending, []
        jobs = [(prepared.source.body, prepared.urls or None) for _, _, prepared in pending]
        for (values, key, prepared), html in zip(
                pending, render_all(self.renderer, jobs, self.workers)):
            if isinstance(html, RenderError):
                self.render_problems.append(render_problem(prepared.source, html))
            else:
                values[key] = html

    # --- writing -------------------------------------------------------------------------

    def write(self) -> None:
        self.needed_assets: dict[str, Path] = {}
        stored_source = db.session.scalar(select(ContentSource).where(
            ContentSource.name == self.source))
        _write_frameworks(self)
        _write_courses(self)
        _write_lessons(self)
        _write_tracks(self)
        _write_assets(self)
        _write_source(self, stored_source)
        self.render_pending()  # a dry run writes nothing but renders all the same


def _write_frameworks(run: _Run) -> None:
    competence_counts = run.summary["competences"]
    stored = {row.slug: row for row in db.session.execute(
        select(CompetenceFramework.id, CompetenceFramework.slug, CompetenceFramework.content_hash,
               CompetenceFramework.source))}
    changed: dict[int, Any] = {}
    updates: list[dict[str, Any]] = []
    for framework in run.tree.frameworks:
        digest = _sha(framework.source.raw)
        values = {"slug": framework.slug, "title": framework.title, "kind": framework.kind,
                  "description": framework.description, "audience": framework.audience,
                  "sectors": framework.sectors, "source_path": framework.source.rel,
                  "content_hash": digest, "source": run.source}
        row = stored.get(framework.slug)
        if row is None:
            ((new_id,),) = run.insert_returning(CompetenceFramework, [values],
                                                CompetenceFramework.id)
            changed[new_id] = framework
            run.note("framework", framework.slug, framework.title, "added")
        elif row.content_hash != digest:  # check_tree refused a differing one of another source
            updates.append({"id": row.id, **values})
            changed[row.id] = framework
            moved = run.moved_detail(row)
            run.note("framework", framework.slug, framework.title,
                     "moved" if moved else "changed", moved)
        elif row.source != run.source and row.source in run.move_from:
            updates.append({"id": row.id, "source": run.source})
            run.note("framework", framework.slug, framework.title, "moved", run.moved_detail(row))
            competence_counts.unchanged += len(framework.items)
        else:  # unchanged, or the same file shared with the source that owns it
            shared = f"the same as in source '{row.source}'" if row.source != run.source else ""
            run.note("framework", framework.slug, framework.title, "unchanged", shared)
            competence_counts.unchanged += len(framework.items)
    run.bulk(CompetenceFramework, [], updates)
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
    run.bulk(Competence, inserts, updates)


def _course_values(run: _Run, course: CourseFile, prepared: _Prepared,
                   **key: int) -> dict[str, Any]:
    """The row's values (``key``: its id); the HTML is filled in before the row is written."""
    return run.with_html({
        **key, "slug": course.slug, "title": course.title, "summary": course.summary,
        "audience": course.audience, "sectors": course.sectors, "language": course.language,
        "hours": course.hours, "nlqf": course.nlqf, "competences": course.competences,
        "prerequisites": course.prerequisites, "version": course.version,
        "source_path": course.source.rel, "content_hash": prepared.hash, "archived": False,
        "updated_at": run.now, "source": run.source,
        "sections": [s.stored() for s in course.sections]}, "intro_html", prepared)


def _write_courses(run: _Run) -> None:
    stored = {row.slug: row for row in db.session.execute(
        select(Course.id, Course.slug, Course.title, Course.content_hash, Course.source_path,
               Course.archived, Course.source))}
    inserts, updates = [], []
    run.stored_course_ids: list[int] = []
    for course in run.tree.courses:
        # A course without sections hashes as before sections existed (no re-render).
        sections = json.dumps([s.stored() for s in course.sections]).encode() \
            if course.sections else b""
        prepared = run.prepare(course.source, course.references, sections)
        row = stored.pop(course.slug, None)
        if row is None:
            inserts.append(_course_values(run, course, prepared))
            run.note("course", course.slug, course.title, "added")
            continue
        run.course_ids[course.slug] = row.id
        run.stored_course_ids.append(row.id)
        if row.content_hash != prepared.hash:
            updates.append(_course_values(run, course, prepared, id=row.id))
        elif row.archived or row.source_path != course.source.rel or row.source != run.source:
            updates.append({"id": row.id, "archived": False, "source_path": course.source.rel,
                            "source": run.source})
        _note(run, "course", course.slug, course.title, row, prepared.hash)
    for row in stored.values():  # other sources' courses stay as they are
        if row.source == run.source and not row.archived:
            updates.append({"id": row.id, "archived": True})
            run.note("course", row.slug, row.title, "archived")
        run.course_ids[row.slug] = row.id
    for id_, slug in run.insert_returning(Course, inserts, Course.id, Course.slug):
        run.course_ids[slug] = id_
    run.bulk(Course, [], updates)


def _note(run: _Run, kind: str, ref: str, title: str, row: Any, digest: str) -> None:
    """Restored, moved, changed or unchanged: what a re-import did to a stored row."""
    if row.archived:
        run.note(kind, ref, title, "restored", run.moved_detail(row) if kind != "lesson" else "")
    elif kind != "lesson" and row.source != run.source:
        run.note(kind, ref, title, "moved", run.moved_detail(row))
    elif row.content_hash != digest:
        run.note(kind, ref, title, "changed")
    else:
        run.note(kind, ref, title, "unchanged")


def _lesson_values(run: _Run, lesson: LessonFile, prepared: _Prepared,
                   **key: int) -> dict[str, Any]:
    """The row's values (``key``: its id or course id); the HTML follows before writing."""
    return run.with_html({
        **key, "slug": lesson.slug, "title": lesson.title, "type": lesson.type,
        "position": lesson.position, "minutes": lesson.minutes, "required": lesson.required,
        "competences": lesson.competences, "settings": lesson.settings,
        "section": lesson.section, "source_path": lesson.source.rel,
        "content_hash": prepared.hash, "archived": False, "updated_at": run.now},
        "html", prepared)


def _write_lessons(run: _Run) -> None:
    stored: dict[tuple[int, str], Any] = {}
    ids = run.stored_course_ids  # only this source's courses: new ones have no lessons yet
    for start in range(0, len(ids), 500):
        stored.update({(row.course_id, row.slug): row for row in db.session.execute(
            select(Lesson.id, Lesson.course_id, Lesson.slug, Lesson.title, Lesson.content_hash,
                   Lesson.position, Lesson.section, Lesson.source_path, Lesson.archived)
            .where(Lesson.course_id.in_(ids[start:start + 500])))})
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
            ref = f"{course.slug}/{lesson.slug}"
            if row is None:
                inserts.append(_lesson_values(run, lesson, prepared, course_id=course_id))
                run.note("lesson", ref, lesson.title, "added")
                continue
            if row.content_hash != prepared.hash:
                updates.append(_lesson_values(run, lesson, prepared, id=row.id))
            elif (row.archived or row.position != lesson.position
                  or row.source_path != lesson.source.rel or row.section != lesson.section):
                updates.append({"id": row.id, "archived": False, "position": lesson.position,
                                "source_path": lesson.source.rel, "section": lesson.section})
            _note(run, "lesson", ref, lesson.title, row, prepared.hash)
    slugs = {id_: slug for slug, id_ in run.course_ids.items()}
    for key, row in stored.items():
        if key not in seen and row.course_id in present_courses and not row.archived:
            updates.append({"id": row.id, "archived": True})
            run.note("lesson", f"{slugs[row.course_id]}/{row.slug}", row.title, "archived")
    run.bulk(Lesson, inserts, updates)


def _track_values(run: _Run, track: TrackFile, prepared: _Prepared,
                  **key: int) -> dict[str, Any]:
    """The row's values (``key``: its id); the HTML is filled in before the row is written."""
    return run.with_html({
        **key, "slug": track.slug, "title": track.title, "summary": track.summary,
        "audience": track.audience, "sectors": track.sectors, "language": track.language,
        "nlqf": track.nlqf, "duration_months": track.duration_months,
        "hours_target": track.hours_target, "credential_name": track.credential_name,
        "credential_validity_years": track.credential_validity_years,
        "source_path": track.source.rel, "content_hash": prepared.hash, "archived": False,
        "source": run.source}, "intro_html", prepared)


def _write_tracks(run: _Run) -> None:
    stored = {row.slug: row for row in db.session.execute(
        select(Track.id, Track.slug, Track.title, Track.content_hash, Track.source_path,
               Track.archived, Track.source))}
    updates: list[dict[str, Any]] = []
    rewritten: dict[int, TrackFile] = {}
    for track in run.tree.tracks:
        prepared = run.prepare(track.source, track.references)
        row = stored.pop(track.slug, None)
        if row is None:
            ((new_id,),) = run.insert_returning(Track, [_track_values(run, track, prepared)],
                                                Track.id)
            rewritten[new_id] = track
            run.note("track", track.slug, track.title, "added")
            continue
        if row.content_hash != prepared.hash:
            updates.append(_track_values(run, track, prepared, id=row.id))
            rewritten[row.id] = track
        elif row.archived or row.source_path != track.source.rel or row.source != run.source:
            updates.append({"id": row.id, "archived": False, "source_path": track.source.rel,
                            "source": run.source})
        _note(run, "track", track.slug, track.title, row, prepared.hash)
    for row in stored.values():  # other sources' tracks stay as they are
        if row.source == run.source and not row.archived:
            updates.append({"id": row.id, "archived": True})
            run.note("track", row.slug, row.title, "archived")
    run.bulk(Track, [], updates)
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
    run.bulk(TrackCourse, inserts, updates)
    run.delete(TrackCourse, [row_id for key, row_id in existing.items() if key not in keep])


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
    run.bulk(Asset, inserts, [])


def _write_source(run: _Run, stored: ContentSource | None) -> None:
    """Remember the source's folder, and when an import of it last changed something (an
    unchanged re-import writes nothing, not even this)."""
    location = str(run.tree.root.resolve())
    if run.dry_run or (stored is not None and stored.location == location
                       and not run.summary.changed_anything):
        return
    if stored is None:
        db.session.execute(insert(ContentSource), [{"name": run.source, "location": location,
                                                    "imported_at": run.now}])
    else:
        db.session.execute(update(ContentSource), [{"id": stored.id, "location": location,
                                                    "imported_at": run.now}])


def _bulk(model: Any, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
    """Executemany INSERT and UPDATE-by-primary-key, grouped by key set."""
    if inserts:
        db.session.execute(insert(model), inserts)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for rows in groups.values():
        db.session.execute(update(model), rows)
