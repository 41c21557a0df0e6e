"""Course sources: the named folders (often one git checkout per team or publisher) that
courses, tracks and frameworks are imported from, side by side.

Every imported row remembers its source; an import archives only what disappeared from its
own source, and a row of another source is never taken over silently (``--move-from``).
References (a track's courses, prerequisites, competences) may point at what other sources
imported: ``Imported`` is that catalogue, read from the database when there is one.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.content.fields import SLUG

# Rows imported before sources existed got this name in migration 0060 unless COURSES_DIR
# named a folder (then that folder's name, the default an import of it gets).
LEGACY_SOURCE = "courses"


class SourceError(ValueError):
    """A source name or folder that cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Source:
    """One folder imported under one name."""

    name: str
    root: Path


def source_name(text: str) -> str:
    """A source name from free text (a folder's name): lowercase ASCII with hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-")
    return name or LEGACY_SOURCE


def check_name(name: str) -> str:
    """``name`` when it is a usable source name, else ``SourceError``."""
    if not SLUG.match(name) or len(name) > 64:
        raise SourceError(f"'{name}' is not a valid source name: use lowercase letters, digits "
                          "and single hyphens (at most 64 characters)")
    return name


def configured(config: Mapping[str, Any]) -> dict[str, Path]:
    """The ``COURSE_SOURCES`` setting (name → folder), checked."""
    raw = config.get("COURSE_SOURCES") or {}
    if isinstance(raw, str):  # LMS_COURSE_SOURCES="team-po=/srv/po,uitgever=/srv/uitgever"
        pairs = [part.split("=", 1) for part in raw.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise SourceError("COURSE_SOURCES must be 'name=folder,name=folder' or a mapping")
        raw = {name.strip(): folder.strip() for name, folder in pairs}
    if not isinstance(raw, Mapping):
        raise SourceError("COURSE_SOURCES must map source names to folders")
    return {check_name(str(name)): Path(str(folder)) for name, folder in raw.items()}


def choose(directory: Path | None, name: str | None, config: Mapping[str, Any]) -> list[Source]:
    """The sources a command works on.

    A folder with a name: that. A folder alone: the configured source with that folder, else
    the folder's own name. A name alone: the configured source of that name. Neither: every
    configured source, else ``COURSES_DIR`` under its folder's name.
    """
    sources = configured(config)
    if name is not None:
        check_name(name)
    if directory is not None:
        if name is None:
            resolved = directory.resolve()
            name = next((n for n, folder in sources.items() if folder.resolve() == resolved),
                        source_name(resolved.name))
        return [Source(name, directory)]
    if name is not None:
        if name not in sources:
            known = ", ".join(sorted(sources)) or "none are configured (setting COURSE_SOURCES)"
            raise SourceError(f"no folder for source '{name}': name the folder "
                              f"(`--source {name} DIR`) or configure it; configured: {known}")
        return [Source(name, sources[name])]
    if sources:
        return [Source(n, folder) for n, folder in sorted(sources.items())]
    if config.get("COURSES_DIR"):
        folder = Path(config["COURSES_DIR"])
        return [Source(source_name(folder.resolve().name), folder)]
    raise SourceError("name a folder (e.g. `lms courses check my-courses/`) or set "
                      "LMS_COURSES_DIR to the folder that holds your courses (or "
                      "COURSE_SOURCES for several); `lms courses export-shipped DIR` copies the "
                      "shipped courses out as a starting point")


def default_source(root: Path) -> str:
    """The source an import of ``root`` gets when none is named: the folder's name."""
    return source_name(Path(root).resolve().name)


# --- what other sources imported --------------------------------------------------------------


@dataclass(frozen=True)
class ImportedRow:
    source: str
    archived: bool
    title: str


@dataclass
class Imported:
    """What is already in the database, seen from the import of ``source``: courses, tracks
    and frameworks by id with their source, and the competence codes of each framework."""

    source: str
    courses: dict[str, ImportedRow] = field(default_factory=dict)
    tracks: dict[str, ImportedRow] = field(default_factory=dict)
    frameworks: dict[str, ImportedRow] = field(default_factory=dict)
    framework_hashes: dict[str, str] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)  # framework → live codes

    def elsewhere(self, kind: str) -> dict[str, ImportedRow]:
        """Rows of ``kind`` that belong to other sources (archived ones included)."""
        return {slug: row for slug, row in getattr(self, kind).items()
                if row.source != self.source}

    @classmethod
    def load(cls, source: str) -> Imported:
        """Read the catalogue with four SELECTs (needs an app context and a migrated database)."""
        from sqlalchemy import select

        from lms.extensions import db
        from lms.models.content import Competence, CompetenceFramework, Course, Track

        found = cls(source)
        for model, target in ((Course, found.courses), (Track, found.tracks)):
            for slug, row_source, archived, title in db.session.execute(
                    select(model.slug, model.source, model.archived, model.title)):
                target[slug] = ImportedRow(row_source, bool(archived), title)
        for slug, row_source, title, digest in db.session.execute(
                select(CompetenceFramework.slug, CompetenceFramework.source,
                       CompetenceFramework.title, CompetenceFramework.content_hash)):
            found.frameworks[slug] = ImportedRow(row_source, False, title)
            found.framework_hashes[slug] = digest
        for slug, code in db.session.execute(
                select(CompetenceFramework.slug, Competence.code)
                .join(Competence, Competence.framework_id == CompetenceFramework.id)
                .where(Competence.archived.is_(False))
                .order_by(CompetenceFramework.slug, Competence.position, Competence.code)):
            found.codes.setdefault(slug, []).append(code)
        return found

    @classmethod
    def load_if_possible(cls, source: str) -> Imported | None:
        """``load``, or None when there is no usable database (an author's laptop, CI): no
        SQLite file yet (none is created), or one that is not migrated; and in the bare app
        of a check without a database (``lms.content.check_app``)."""
        from flask import current_app

        if "sqlalchemy" not in current_app.extensions:
            return None
        from sqlalchemy.exc import SQLAlchemyError

        from lms.extensions import db

        url = db.engine.url
        if (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
                and not Path(url.database).exists()):
            return None
        try:
            return cls.load(source)
        except SQLAlchemyError:
            db.session.rollback()
            return None


# --- `lms courses sources` ---------------------------------------------------------------------


@dataclass
class SourceRow:
    """One source as ``lms courses sources`` lists it (counts: live rows; lessons of live
    courses)."""

    name: str
    location: str = ""
    imported_at: Any = None
    configured: bool = False
    courses: int = 0
    archived_courses: int = 0
    lessons: int = 0
    tracks: int = 0
    archived_tracks: int = 0
    frameworks: int = 0


def source_overview(folders: Mapping[str, Path]) -> list[SourceRow]:
    """Every source that imported something or is configured, by name (five queries)."""
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.models.content import CompetenceFramework, ContentSource, Course, Lesson, Track

    rows: dict[str, SourceRow] = {}

    def row(name: str) -> SourceRow:
        return rows.setdefault(name, SourceRow(name))

    for stored in db.session.scalars(select(ContentSource)):
        found = row(stored.name)
        found.location, found.imported_at = stored.location, stored.imported_at
    for name, folder in folders.items():
        found = row(name)
        found.configured = True
        found.location = found.location or str(folder)
    for model, live, archived in ((Course, "courses", "archived_courses"),
                                  (Track, "tracks", "archived_tracks")):
        for name, is_archived, count in db.session.execute(
                select(model.source, model.archived, func.count()).group_by(model.source,
                                                                            model.archived)):
            found = row(name)
            setattr(found, archived if is_archived else live, count)
    for name, count in db.session.execute(
            select(Course.source, func.count()).join(Lesson, Lesson.course_id == Course.id)
            .where(Course.archived.is_(False), Lesson.archived.is_(False))
            .group_by(Course.source)):
        row(name).lessons = count
    for name, count in db.session.execute(
            select(CompetenceFramework.source, func.count()).group_by(CompetenceFramework.source)):
        row(name).frameworks = count
    return [rows[name] for name in sorted(rows)]
