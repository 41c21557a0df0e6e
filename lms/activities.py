"""Small value types that plugins return from hooks."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from lms.models import Course, Lesson, Track, User


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
    """A link in the main navigation: ``url_for(endpoint)``, lowest ``order`` first;
    ``count`` (when not None) is shown beside the label, e.g. the items waiting for sign-off,
    with ``count_label`` read out after it by screen readers ("waiting")."""

    endpoint: str
    label: str
    order: int = 50
    count: int | None = None
    count_label: str = ""


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
    """Before an activity records the learner's own work: refuse a locked course (back to
    the lesson page, which says what to finish first), and enrol the learner in the course
    when no enrolment covers it yet, as the core "mark as done" and the API do
    (``lms.tracking.prerequisites.start_lesson``)."""
    from flask import abort, flash, redirect
    from flask_babel import gettext as _

    from lms.tracking.prerequisites import CourseLocked, start_lesson

    try:
        start_lesson(user, lesson)
    except CourseLocked as exc:
        flash(_("This course opens once you have completed: %(courses)s.",
                courses=", ".join(p.title for p in exc.waiting_for)), "error")
        abort(redirect(lesson_url(lesson)))


def render_fragment(template: str, **context: Any) -> Markup:
    """Render a (namespaced) template to a piece of HTML for a page: an activity's UI, a
    dashboard widget, a path section. Jinja autoescapes what users wrote; wrapping the result
    in Markup only stops the page escaping it a second time."""
    from flask import render_template

    return Markup(render_template(template, **context))  # nosec B704 (autoescaped output)


@dataclass(frozen=True)
class Setting:
    """A setting a plugin declares (``lms_settings``): read from ``LMS_<name>`` or the
    instance ``config.py`` like any core setting, converted to ``type``, ``default`` when
    unset. ``required_to_serve``: ``lms serve`` (and the WSGI app) refuse to start without
    it; commands that do not serve (``courses check``, ``plugins``, ``db upgrade``) still run.
    ``secret``: ``lms plugins --settings`` never prints its value."""

    name: str
    description: str
    default: Any = None
    type: type = str
    required_to_serve: bool = False
    secret: bool = False


@dataclass(frozen=True)
class SignOffItem:
    """Something waiting for a reviewer's decision (``lms_sign_off_items``): a submitted
    assignment, a competence to confirm… ``url`` opens the review page."""

    kind: str  # a stable key, e.g. "assignment"
    kind_label: str  # shown in the queue's type filter, translated
    learner_id: int
    learner_name: str
    title: str
    submitted_at: datetime
    url: str


@dataclass(frozen=True)
class LearnerColumn:
    """An extra column on a supervisor's table of learners (``lms_learner_columns``):
    ``values`` maps learner id → what the cell shows (a number or a short text)."""

    key: str
    label: str
    values: Mapping[int, int | str]


@dataclass(frozen=True)
class LearningEvent:
    """What ``lms_progress_recorded`` listeners get: the stored event plus the objects it is
    about, loaded once for every listener.

    ``result`` per verb (never free text): ``experienced``, ``submitted``, ``returned``,
    ``approved`` — None or ``{}``; ``completed`` — None, or ``{"completion": true}``;
    ``attempted``/``passed``/``failed`` — ``{"score": {"scaled": 0.0–1.0, "raw": n,
    "min": 0, "max": n}, "success": bool}`` as far as known. ``registration`` is the
    enrolment's stable UUID (a string), None outside any enrolment.
    """

    id: int
    verb: str
    timestamp: datetime
    result: dict | None
    learner: User
    lesson: Lesson
    course: Course
    track: Track | None
    registration: str | None

    @property
    def user_id(self) -> int:
        return self.learner.id

    @property
    def lesson_id(self) -> int:
        return self.lesson.id

    @property
    def course_id(self) -> int:
        return self.course.id


@dataclass(frozen=True)
class LearningRecord:
    """What ``lms_learning_record`` listeners get: a learning fact beyond lesson progress,
    committed, with the objects it is about loaded once for every listener.

    ``kind`` and its ``result`` (never free text — no reasons, feedback, descriptions or
    reflection texts):

    - ``course_completed`` / ``track_completed`` — ``{"completion": true}``; ``course`` or
      ``track`` is set.
    - ``competence_confirmed`` — ``{"success": true}``; ``object_id`` is ``framework:code``.
    - ``exemption_granted`` — ``{}``; ``course`` (exempted) and ``track`` are set.
    - ``credential_issued`` — ``{"expires": "YYYY-MM-DD"}`` or ``{}``; ``track`` is set.
    - ``hours_logged`` — ``{"hours": 2.5, "category": "cursus", "date": "YYYY-MM-DD"}``.
    - ``reflection_shared`` — ``{}``; ``lesson`` and ``course`` are set.

    ``object_type``/``object_id`` name what it is about with an id that survives renames
    (``course``/slug, ``track``/slug, ``lesson``/``course-slug/lesson-slug``,
    ``competence``/``framework:code``, ``credential``/row id, ``hours``/row id);
    ``object_name`` is its title when recorded. ``key`` is stable and unique per fact (use it
    for deterministic ids); ``registration`` is the enrolment's UUID, or None.
    """

    id: int
    kind: str
    key: str
    timestamp: datetime
    learner: Any  # lms.models.User
    object_type: str
    object_id: str
    object_name: str = ""
    course: Any = None  # lms.models.Course
    track: Any = None  # lms.models.Track
    lesson: Any = None  # lms.models.Lesson
    result: dict | None = None
    registration: str | None = None

    @property
    def user_id(self) -> int:
        return self.learner.id
