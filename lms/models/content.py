"""Courses, lessons, tracks and competence frameworks, as imported from course files.

Everything is keyed by the author's stable ``slug`` (the ``id`` in front matter); database ids
never change on re-import, so progress keyed by them survives renames and reordering.
Rows are archived, never deleted, when their file disappears. Frameworks, courses and tracks
remember the ``source`` (a named course folder, ``ContentSource``) they were imported from:
an import archives only what disappeared from its own source.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class CompetenceFramework(db.Model):
    __tablename__ = "competence_framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="competences")  # or "levels" (NLQF)
    description: Mapped[str] = mapped_column(Text, default="")
    # Whom it is about (roles, sectors; empty: everyone): paths show fitting frameworks first.
    audience: Mapped[list] = mapped_column(JSON, default=list)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    source_path: Mapped[str] = mapped_column(String(500), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # The ContentSource (by name) that imported it: only that source's import archives it.
    source: Mapped[str] = mapped_column(String(64), default="", index=True)

    competences: Mapped[list[Competence]] = relationship(
        back_populates="framework", order_by="Competence.position", cascade="all, delete-orphan"
    )


class Competence(db.Model):
    __tablename__ = "competence"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("competence_framework.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict | None] = mapped_column(JSON)  # e.g. NLQF routes into teaching
    # Removed from its framework file: hidden from lists, kept for sign-offs that point at it.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    framework: Mapped[CompetenceFramework] = relationship(back_populates="competences")

    @property
    def key(self) -> str:
        return f"{self.framework.slug}:{self.code}"


class Course(db.Model):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[list] = mapped_column(JSON, default=list)  # roles
    sectors: Mapped[list] = mapped_column(JSON, default=list)  # po/vo/mbo
    language: Mapped[str] = mapped_column(String(8), default="nl")
    hours: Mapped[float] = mapped_column(Float, default=0.0)  # study load
    nlqf: Mapped[int | None] = mapped_column(Integer)
    competences: Mapped[list] = mapped_column(JSON, default=list)  # "framework:code"
    prerequisites: Mapped[list] = mapped_column(JSON, default=list)  # course slugs
    version: Mapped[str] = mapped_column(String(32), default="1")
    intro_html: Mapped[str] = mapped_column(Text, default="")
    source_path: Mapped[str] = mapped_column(String(500), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The ContentSource (by name) that imported it: only that source's import archives it.
    source: Mapped[str] = mapped_column(String(64), default="", index=True)
    # Its sub-folders in course order: [{"key": "01-basis", "title": "Basis", "depth": 1}].
    sections: Mapped[list] = mapped_column(JSON, default=list)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if not lesson.archived]


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32), default="page")
    position: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    competences: Mapped[list] = mapped_column(JSON, default=list)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)  # the type's own front matter
    html: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(String(500), default="")  # a key of course.sections
    source_path: Mapped[str] = mapped_column(String(500), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")

    @property
    def object_id(self) -> str:
        """The stable, xAPI-style identifier of this lesson."""
        return f"{self.course.slug}/{self.slug}"


class Track(db.Model):
    """A leerroute: required and elective courses with prerequisites, a deadline and a credential."""

    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[list] = mapped_column(JSON, default=list)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    nlqf: Mapped[int | None] = mapped_column(Integer)
    intro_html: Mapped[str] = mapped_column(Text, default="")
    duration_months: Mapped[int | None] = mapped_column(Integer)  # deadline from enrolment
    hours_target: Mapped[float | None] = mapped_column(Float)
    credential_name: Mapped[str | None] = mapped_column(String(200))
    credential_validity_years: Mapped[int | None] = mapped_column(Integer)
    source_path: Mapped[str] = mapped_column(String(500), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # The ContentSource (by name) that imported it: only that source's import archives it.
    source: Mapped[str] = mapped_column(String(64), default="", index=True)

    courses: Mapped[list[TrackCourse]] = relationship(
        back_populates="track", order_by="TrackCourse.position", cascade="all, delete-orphan"
    )


class TrackCourse(db.Model):
    __tablename__ = "track_course"
    __table_args__ = (UniqueConstraint("track_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    after: Mapped[list] = mapped_column(JSON, default=list)  # course slugs that must be done first

    track: Mapped[Track] = relationship(back_populates="courses")
    course: Mapped[Course] = relationship()


class ContentSource(db.Model):
    """A named course folder (one git checkout per team or publisher, say) and when an
    import of it last changed something. Rows point at it by ``name``."""

    __tablename__ = "content_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    location: Mapped[str] = mapped_column(String(1000), default="")  # the folder last imported
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Asset(db.Model):
    """An image or file referenced by a lesson, stored in the database so every app instance
    can serve it; addressed by content hash, so it is cached forever."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
