"""Hours rules: how many professionalisation hours count for whom, per period, as data.

Leerpad ships ``shipped_courses/hours-rules.yml`` (package data); an administrator points the
setting ``HOURS_RULES_FILE`` at their own file of the same shape (docs/authoring.md). A rule
says how many hours a period of ``period_years`` calendar years asks (cao po/vo/mbo: per
year; the former Lerarenregister: 160 hours in 4 years; BRLO: 100 hours a year with a
registration of 4 years) and who gets it: by role, by the sector of their school, or as the
default. A schoolopleider can choose another rule for one person (``HoursRuleChoice``).

Which rule a person gets is decided by ``HoursRules.rule_for`` from plain facts (their roles,
their schools' sectors, the chosen rule), so the learning path and the coordinator's report
apply the same rules without extra queries of their own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.accounts import ROLES
from lms.models.base import UTCDateTime, utcnow
from lms.models.organisations import SECTORS

SHIPPED = "hours-rules.yml"
LANGUAGES = ("nl", "en")
MAX_FILE_BYTES = 200_000


class HoursRulesError(ValueError):
    """An hours rules file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class HoursRule:
    """One rule: ``hours`` per period of ``period_years`` calendar years."""

    id: str
    hours: float
    period_years: int
    title: dict[str, str]
    summary: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    benchmark: bool = False
    registration_years: int | None = None  # BRLO: a registration lasts this long

    def title_in(self, locale: str) -> str:
        return _in(self.title, locale) or self.id

    def summary_in(self, locale: str) -> str:
        return _in(self.summary, locale)

    @property
    def per_year(self) -> bool:
        return self.period_years == 1


def _in(texts: dict[str, str], locale: str) -> str:
    return texts.get(locale) or texts.get("nl") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class HoursRules:
    rules: tuple[HoursRule, ...]
    default: str | None = None
    qualification_courses: frozenset[str] = frozenset()
    source: str = ""

    def get(self, rule_id: str | None) -> HoursRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def rule_for(self, roles, sectors, chosen: str | None = None) -> HoursRule | None:
        """The person's rule: the chosen one, else by role, else by sector, else the default
        (see the module docstring); None when nothing applies."""
        picked = self.get(chosen)
        if picked is not None:
            return picked
        roles, sectors = set(roles or ()), set(sectors or ())
        assignable = [r for r in self.rules if not r.benchmark]
        for rule in assignable:
            if roles & set(rule.roles):
                return rule
        for rule in assignable:
            if not rule.roles and sectors & set(rule.sectors):
                return rule
        return self.get(self.default)

    def benchmarks(self, own: HoursRule | None) -> list[HoursRule]:
        """Rules shown to everyone for comparison, next to (and other than) their own."""
        return [r for r in self.rules if r.benchmark and (own is None or r.id != own.id)]

    def counts_course(self, course_slug: str) -> bool:
        """Whether a completed course's study load counts as professionalisation hours."""
        return course_slug not in self.qualification_courses


# --- loading and checking ---------------------------------------------------------------------


def _fail(source: str, where: str, message: str) -> HoursRulesError:
    return HoursRulesError(f"{source}: {where}: {message}")


def _texts(value: Any, source: str, where: str, required: bool) -> dict[str, str]:
    if value is None and not required:
        return {}
    if isinstance(value, str) and value.strip():
        return {"nl": value.strip()}
    if (isinstance(value, dict) and value and set(value) <= set(LANGUAGES)
            and all(isinstance(v, str) and v.strip() for v in value.values())):
        return {k: " ".join(v.split()) for k, v in value.items()}
    raise _fail(source, where, "give a text, or texts per language (nl, en)")


def _names(value: Any, allowed: tuple[str, ...], source: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise _fail(source, where, f"give a list of: {', '.join(allowed)}")
    return tuple(value)


def _whole(value: Any, source: str, where: str, low: int, high: int, required: bool) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(source, where, f"give a whole number from {low} to {high}")
    return value


def parse(text: str, source: str = SHIPPED) -> HoursRules:
    """Check and read an hours rules document; every problem is an ``HoursRulesError``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(source, "file", f"not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise _fail(source, "file", "must be a mapping with 'rules'")
    unknown = sorted(set(data) - {"version", "default", "rules", "qualification_courses"})
    if unknown:
        raise _fail(source, unknown[0], "unknown key")
    if data.get("version", 1) != 1:
        raise _fail(source, "version", "only version 1 is known")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _fail(source, "rules", "give a list of at least one rule")
    rules: list[HoursRule] = []
    for index, raw in enumerate(raw_rules):
        at = f"rules[{index}]"
        if not isinstance(raw, dict):
            raise _fail(source, at, "must be a mapping with id, hours and period_years")
        extra = sorted(set(raw) - {"id", "hours", "period_years", "title", "summary", "roles",
                                   "sectors", "benchmark", "registration_years"})
        if extra:
            raise _fail(source, f"{at}.{extra[0]}", "unknown key")
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not rule_id or len(rule_id) > 64 or not all(
                c.isalnum() or c == "-" for c in rule_id) or rule_id.lower() != rule_id:
            raise _fail(source, f"{at}.id", "give a lowercase id of letters, digits and -")
        if any(r.id == rule_id for r in rules):
            raise _fail(source, f"{at}.id", f"duplicate id '{rule_id}'")
        hours = raw.get("hours")
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 10_000:
            raise _fail(source, f"{at}.hours", "give a number of hours above 0 (at most 10000)")
        benchmark = raw.get("benchmark", False)
        if not isinstance(benchmark, bool):
            raise _fail(source, f"{at}.benchmark", "give true or false")
        rules.append(HoursRule(
            id=rule_id, hours=float(hours),
            period_years=_whole(raw.get("period_years"), source, f"{at}.period_years", 1, 10, True),
            title=_texts(raw.get("title"), source, f"{at}.title", True),
            summary=_texts(raw.get("summary"), source, f"{at}.summary", False),
            roles=_names(raw.get("roles"), ROLES, source, f"{at}.roles"),
            sectors=_names(raw.get("sectors"), SECTORS, source, f"{at}.sectors"),
            benchmark=benchmark,
            registration_years=_whole(raw.get("registration_years"), source,
                                      f"{at}.registration_years", 1, 20, False)))
    default = data.get("default")
    if default is not None and not any(r.id == default for r in rules):
        raise _fail(source, "default", f"no rule with id '{default}'")
    courses = data.get("qualification_courses") or []
    if not isinstance(courses, list) or not all(isinstance(c, str) for c in courses):
        raise _fail(source, "qualification_courses", "give a list of course ids")
    return HoursRules(tuple(rules), default, frozenset(courses), source)


def shipped_text() -> str:
    return (resources.files("lms") / "shipped_courses" / SHIPPED).read_text(encoding="utf-8")


def load(path: str | Path | None = None) -> HoursRules:
    """The rules in ``path`` (an administrator's file), or the shipped ones."""
    if not path:
        return parse(shipped_text(), SHIPPED)
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise _fail(str(path), "file", f"larger than {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(str(path), "file", f"cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise _fail(str(path), "file", "is not UTF-8 text") from None
    return parse(text, str(path))


def rules_for(app) -> HoursRules:
    """The app's rules (``HOURS_RULES_FILE`` or the shipped file), read once per app."""
    found = app.extensions.get("lms.hours_rules")
    if found is None:
        found = app.extensions["lms.hours_rules"] = load(app.config.get("HOURS_RULES_FILE"))
    return found


def fallback(hours: float, period_years: int) -> HoursRule:
    """The rule for a person no rule applies to (a file without ``default``): the
    installation's HOURS_BENCHMARK hours per HOURS_CYCLE_YEARS years."""
    return HoursRule(id="benchmark", hours=float(hours), period_years=int(period_years),
                     title={"nl": "Norm van deze installatie", "en": "This installation's norm"})


def current_rules() -> HoursRules:
    from flask import current_app

    return rules_for(current_app)


# --- a person's chosen rule -------------------------------------------------------------------


class HoursRuleChoice(db.Model):
    """The rule a schoolopleider chose for one person, instead of the one by role or sector."""

    __tablename__ = "hours_rule_choice"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    chosen_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def person_facts(user) -> tuple[set[str], set[str]]:
    """A person's role names and the sectors of the organisations they hold roles in (from
    their loaded role assignments: no query when they are loaded with the user)."""
    roles = {r.role for r in user.roles}
    sectors = {r.organisation.sector for r in user.roles
               if r.organisation is not None and r.organisation.sector}
    return roles, sectors


def choose_rule(person, rule_id: str | None, *, by, rules: HoursRules | None = None) -> None:
    """Set (or with None, clear) the rule for ``person``; audited. Who may is checked by the
    caller (``access.can(by, "hours_rule.choose", person)``). Commits."""
    from lms.models.audit import audit

    rules = rules or current_rules()
    if rule_id is not None and rules.get(rule_id) is None:
        raise HoursRulesError(f"unknown hours rule '{rule_id}'")
    row = db.session.get(HoursRuleChoice, person.id)
    before = row.rule if row is not None else None
    if before == rule_id:
        return
    if rule_id is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(HoursRuleChoice(user_id=person.id, rule=rule_id, chosen_by_id=by.id,
                                       chosen_at=utcnow()))
    else:
        row.rule, row.chosen_by_id, row.chosen_at = rule_id, by.id, utcnow()
    audit("hours_rule.choose", actor=by, subject=person, object_type="hours_rule",
          object_id=rule_id or "", detail={"before": before, "after": rule_id})
    db.session.commit()
