"""Small value types that plugins return from hooks."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class ActivityType:
    """A lesson type (page, quiz, reflection, assignment, ...).

    ``fields`` maps the extra front-matter keys this type accepts to a one-line description;
    ``validate(meta)`` returns ``[(field, message)]`` problems for a lesson's front matter;
    ``render(lesson, user)`` returns the activity UI (Markup) shown under the lesson text;
    ``manual_completion`` allows the learner's own "mark as done".
    """

    name: str
    label: str
    fields: Mapping[str, str] = field(default_factory=dict)
    validate: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None
    render: Callable[[Any, Any], Any] | None = None
    manual_completion: bool = False


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation: ``url_for(endpoint)``, lowest ``order`` first."""

    endpoint: str
    label: str
    order: int = 50


@dataclass(frozen=True)
class Exporter:
    """An export format.

    ``export(rows, headers=None)`` gets the rows (dicts, or sequences when ``headers`` is
    given) and returns the document: ``str`` (encoded with ``encoding`` when served as a
    file) or ``bytes``.
    """

    name: str
    label: str
    media_type: str
    extension: str
    export: Callable[..., str | bytes]
    encoding: str = "utf-8"


# --- helpers for activity plugins ----------------------------------------------------------


def lesson_or_404(lesson_id: int, type_name: str | None = None) -> Any:
    """The active lesson with this id (of this type), or a 404."""
    from flask import abort

    from lms.extensions import db
    from lms.models.content import Lesson

    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.archived or (type_name and lesson.type != type_name):
        abort(404)
    return lesson


def lesson_url(lesson: Any, anchor: str | None = None) -> str:
    """The core lesson page of ``lesson`` (where its activity is shown)."""
    from flask import url_for

    url = url_for("learn.lesson", course_slug=lesson.course.slug, lesson_slug=lesson.slug)
    return f"{url}#{anchor}" if anchor else url


def ensure_enrolled(user: Any, lesson: Any) -> None:
    """Enrol the learner in the lesson's course when no enrolment covers it yet (as the
    core "mark as done" does), so the activity counts towards their course."""
    from lms.tracking.record import registration_for
    from lms.tracking.tracks import enrol

    if registration_for(user.id, lesson.course_id) is None:
        enrol(user, course=lesson.course)


def render_fragment(template: str, **context: Any) -> Markup:
    """Render a (namespaced) template to a piece of HTML for a page: an activity's UI, a
    dashboard widget, a path section. Jinja autoescapes what users wrote; wrapping the result
    in Markup only stops the page escaping it a second time."""
    from flask import render_template

    return Markup(render_template(template, **context))  # nosec B704 (autoescaped output)
