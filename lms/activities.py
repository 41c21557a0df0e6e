"""Small value types that plugins return from hooks."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


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
    """A link in the main navigation."""

    endpoint: str
    label: str
    order: int = 50


@dataclass(frozen=True)
class Exporter:
    """An export format: ``export(rows_query_context) -> (bytes | str)``."""

    name: str
    label: str
    media_type: str
    extension: str
    export: Callable[..., Any]
