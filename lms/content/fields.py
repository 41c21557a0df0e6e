"""Front-matter schemas: which keys each kind of file takes, and how their values are checked.

A checker returns the clean value or raises ``Invalid``; a warning-level ``Invalid`` carries
the value to use anyway (e.g. an unquoted version number).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lms.content.parse import SourceFile
from lms.content.problems import Problem

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COMPETENCE_REF = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*:[a-z0-9]+(-[a-z0-9]+)*$")
ROLES = ("learner", "mentor", "schoolopleider", "leidinggevende", "coordinator", "author", "admin")
SECTORS = ("po", "so", "vo", "mbo", "ho")
NLQF_LEVELS = (4, 5, 6, 7, 8)
_MISSING = object()


class Invalid(Exception):
    def __init__(self, message: str, severity: str = "error", value: Any = _MISSING):
        super().__init__(message)
        self.severity = severity
        self.value = value


Checker = Callable[[Any], Any]


def text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise Invalid(f"must be text, got {_kind(value)}")


def slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG.match(value) or len(value) > 64:
        raise Invalid(f"must be a lowercase slug (a-z, 0-9 and single hyphens, at most 64 "
                      f"characters), got {value!r}")
    return value


def number(low: float | None = None, high: float | None = None) -> Checker:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"must be a number, got {_kind(value)} {value!r}")
        _bounds(value, low, high)
        return float(value)
    return check


def integer(low: int | None = None, high: int | None = None) -> Checker:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"must be a whole number, got {_kind(value)} {value!r}")
        _bounds(value, low, high)
        return value
    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, got {value!r}")
    return value


def one_of(*allowed: Any) -> Checker:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise Invalid(f"must be one of {', '.join(map(str, allowed))}; got {value!r}")
        return value
    return check


def list_of(item: Checker) -> Checker:
    def check(value: Any) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise Invalid(f"must be a list like [a, b], got {_kind(value)} {value!r}")
        return [item(v) for v in value]
    return check


def language(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2}", value):
        raise Invalid(f"must be a two-letter language code such as nl or en, got {value!r}")
    return value


def competence_ref(value: Any) -> str:
    if not isinstance(value, str) or not COMPETENCE_REF.match(value):
        raise Invalid(f"must be 'framework:code', got {value!r}")
    return value


def version(value: Any) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Invalid(f'is a number; quote it ("{value}") so 1.10 does not become 1.1',
                      severity="warning", value=str(value))
    raise Invalid(f"must be text such as \"1.0\", got {_kind(value)}")


@dataclass(frozen=True)
class Field:
    check: Checker
    required: bool = False
    default: Any = None


COURSE = {
    "id": Field(slug, required=True),
    "title": Field(text, required=True),
    "summary": Field(text, default=""),
    "audience": Field(list_of(one_of(*ROLES)), default=[]),
    "sectors": Field(list_of(one_of(*SECTORS)), default=[]),
    "language": Field(language, default="nl"),
    "hours": Field(number(0, 10_000), default=0.0),
    "nlqf": Field(integer(4, 8)),
    "competences": Field(list_of(competence_ref), default=[]),
    "prerequisites": Field(list_of(slug), default=[]),
    "version": Field(version, default="1"),
}

LESSON = {
    "id": Field(slug, required=True),
    "title": Field(text, required=True),
    "type": Field(text, required=True),
    "order": Field(integer()),
    "minutes": Field(integer(0, 10_000), default=0),
    "required": Field(boolean, default=True),
    "competences": Field(list_of(competence_ref), default=[]),
}

TRACK = {
    "id": Field(slug, required=True),
    "title": Field(text, required=True),
    "summary": Field(text, default=""),
    "audience": Field(list_of(one_of(*ROLES)), default=[]),
    "sectors": Field(list_of(one_of(*SECTORS)), default=[]),
    "language": Field(language, default="nl"),
    "nlqf": Field(integer(4, 8)),
    "duration_months": Field(integer(1, 240)),
    "hours_target": Field(number(0, 100_000)),
    "credential": Field(lambda v: v),  # checked by CREDENTIAL
    "courses": Field(lambda v: v, required=True),  # checked by TRACK_COURSE per entry
}

CREDENTIAL = {
    "name": Field(text, required=True),
    "validity_years": Field(integer(1, 100)),
}

TRACK_COURSE = {
    "course": Field(slug, required=True),
    "required": Field(boolean, default=True),
    "after": Field(list_of(slug), default=[]),
}

FRAMEWORK = {
    "id": Field(slug, required=True),
    "title": Field(text, required=True),
    "kind": Field(one_of("competences", "levels"), default="competences"),
    "description": Field(text, default=""),
    # Whom the framework is about: a learner's path shows fitting frameworks first.
    "audience": Field(list_of(one_of(*ROLES)), default=[]),
    "sectors": Field(list_of(one_of(*SECTORS)), default=[]),
    "items": Field(lambda v: v, required=True),  # checked by FRAMEWORK_ITEM per entry
}

SECTION = {  # section.yml in a sub-folder of a course; both optional
    "title": Field(text),
    "order": Field(integer()),
}

FRAMEWORK_ITEM = {
    "code": Field(lambda v: slug(str(v)), required=True),  # NLQF levels are numbers
    "title": Field(text, required=True),
    "description": Field(text, default=""),
    "routes": Field(list_of(text), default=[]),
}


def check_mapping(source: SourceFile, meta: Any, spec: Mapping[str, Field], prefix: str,
                  problems: list[Problem], extra_keys: Mapping[str, str] | None = None,
                  ) -> dict[str, Any]:
    """Check ``meta`` against ``spec``; return clean values (defaults for missing/invalid ones).

    Unknown keys are warnings with a "did you mean" hint (errors under ``--strict``: rule
    ``unknown-key``); ``extra_keys`` are accepted as-is (a lesson type's own keys, validated
    by the type).
    """
    def at(key: str) -> str:
        return f"{prefix}.{key}" if prefix else key

    if not isinstance(meta, dict):
        problems.append(source.problem(prefix or "front matter",
                                       f"must be a mapping of 'key: value' lines, got {_kind(meta)}"))
        meta = {}
    known = list(spec) + list(extra_keys or ())
    clean: dict[str, Any] = {}
    for key, value in meta.items():
        key = str(key)
        if key in spec:
            if value is None and not spec[key].required:
                continue
            try:
                clean[key] = spec[key].check(value)
            except Invalid as exc:
                problems.append(source.problem(at(key), str(exc), exc.severity))
                if exc.value is not _MISSING:
                    clean[key] = exc.value
        elif not extra_keys or key not in extra_keys:
            hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            # A blank or multi-line key would break the one-line 'path:line: field:' report.
            shown = key if key.strip() and key.isprintable() else repr(key)
            message = f"unknown key '{shown}'" + (f"; did you mean '{hint[0]}'?" if hint else "")
            line = source.lines.get(at(key)) or source.line_of(at(key))
            problems.append(source.problem(at(shown), message, "warning", line=line,
                                           rule="unknown-key"))
    for key, field in spec.items():
        if key not in clean:
            if field.required and key not in meta:
                problems.append(source.problem(at(key), "is required"))
            default = field.default
            clean[key] = list(default) if isinstance(default, list) else default
    return clean


def _bounds(value: float, low: float | None, high: float | None) -> None:
    if low is not None and value < low or high is not None and value > high:
        if low is not None and high is not None:
            raise Invalid(f"must be between {low} and {high}, got {value}")
        raise Invalid(f"must be at least {low}, got {value}" if low is not None
                      else f"must be at most {high}, got {value}")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
            type(None): "nothing"}.get(type(value), type(value).__name__)
