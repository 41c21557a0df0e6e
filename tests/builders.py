"""Build content and progress directly with the models (call inside an app context)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select

from lms.extensions import db
from lms.models import Course, Lesson, Track, TrackCourse, User
from lms.tracking.content import content_changed


def user(who: str) -> User:
    """A person from the ``world`` fixture, by their short name (``learner``, ``mentor``...)."""
    return db.session.execute(select(User).where(User.email == f"{who}@example.org")).scalar_one()


def course(slug: str, lessons: int | Sequence[str] = 3, *, optional: Iterable[str] = (),
           lesson_type: str = "page", minutes: int = 10, title: str | None = None,
           audience: list[str] | None = None, sectors: list[str] | None = None,
           language: str = "nl", hours: float = 2.0, archived: bool = False) -> Course:
    """A course with lessons ``l1..lN`` (or the given slugs); ``optional`` ones not required."""
    slugs = [f"l{i}" for i in range(1, lessons + 1)] if isinstance(lessons, int) else list(lessons)
    optional = set(optional)
    made = Course(slug=slug, title=title or slug.replace("-", " ").title(),
                  summary=f"Over {slug}.", audience=audience or [], sectors=sectors or [],
                  language=language, hours=hours, intro_html=f"<p>Intro {slug}</p>",
                  archived=archived)
    for position, lesson_slug in enumerate(slugs, start=1):
        made.lessons.append(Lesson(
            slug=lesson_slug, title=f"Les {lesson_slug}", type=lesson_type, position=position,
            minutes=minutes, required=lesson_slug not in optional,
            html=f"<p>Tekst van {slug}/{lesson_slug}</p>"))
    db.session.add(made)
    db.session.commit()
    return made


def add_lesson(parent: Course, slug: str, *, required: bool = True, minutes: int = 10) -> Lesson:
    """Insert one more lesson at the end of a course (a content edit)."""
    lesson = Lesson(course_id=parent.id, slug=slug, title=f"Les {slug}", minutes=minutes,
                    required=required, position=len(parent.lessons) + 1, html="<p>Nieuw</p>")
    db.session.add(lesson)
    content_changed(courses=[parent.id])
    db.session.commit()
    return lesson


def track(slug: str, courses: Sequence[tuple[Course, bool, list[str]] | Course], *,
          duration_months: int | None = None, credential: str | None = None,
          validity_years: int | None = None, audience: list[str] | None = None,
          sectors: list[str] | None = None, hours_target: float | None = None) -> Track:
    """A track of (course, required, after-slugs) entries (a bare course is required)."""
    made = Track(slug=slug, title=slug.replace("-", " ").title(), summary=f"Route {slug}.",
                 audience=audience or [], sectors=sectors or [], duration_months=duration_months,
                 credential_name=credential, credential_validity_years=validity_years,
                 hours_target=hours_target, intro_html=f"<p>Route {slug}</p>")
    for position, entry in enumerate(courses, start=1):
        item, required, after = entry if isinstance(entry, tuple) else (entry, True, [])
        made.courses.append(TrackCourse(course=item, required=required, after=list(after),
                                        position=position))
    db.session.add(made)
    db.session.commit()
    return made


def lesson(parent: Course, slug: str) -> Lesson:
    return next(item for item in parent.lessons if item.slug == slug)
