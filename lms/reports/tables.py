"""The coordinator report as named tables: shown on the page, under each chart, and exported."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from lms.reports.coordinator import EXPIRY_DAYS, RISK_WEEKS, CoordinatorReport
from lms.reports.sql import HOURS_BUCKETS, PROGRESS_BUCKETS


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list]


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl")


def programme_labels() -> dict[str, str]:
    return {"starters": _("Starters (induction)"), "zij_instroom": _("Zij-instromers"),
            "pdg": _("PDG participants")}


def coordinator_tables(report: CoordinatorReport) -> dict[str, Table]:
    labels = programme_labels()
    tables = [
        Table("programmes", _("Participants per programme"), [_("Programme"), _("Learners")],
              [[labels[k], v] for k, v in report.programmes.items()]),
        Table("tracks", _("Learners per track"),
              [_("Track"), _("Enrolled"), _("Active"), _("Completed")],
              [[t["title"], t["enrolled"], t["active"], t["completed"]] for t in report.tracks]),
        Table("progress", _("Progress in tracks"),
              [_("Track")] + [f"{key} %" for key, _lo, _hi in PROGRESS_BUCKETS],
              [[p["title"]] + [p[key] for key, _lo, _hi in PROGRESS_BUCKETS]
               for p in report.progress]),
        Table("risk", _("Deadlines at risk"),
              [_("School"), _("Track"), _("Overdue"),
               _("Due within %(weeks)s weeks", weeks=RISK_WEEKS), _("Behind schedule")],
              [[r["school"], r["track"], r["overdue"], r["due_soon"], r["behind"]]
               for r in report.risk]),
        Table("hours", _("Hours against each person's rule"),
              [_("Share of their rule's hours"), _("Learners"), _("Hours")],
              [[f"{h['bucket']} %", h["learners"], h["hours"]] for h in report.hours]),
        Table("hours_rules", _("Hours rules"),
              [_("Hours rule"), _("Learners"), _("Reached this period")],
              [[r["rule_object"].title_in(_locale()), r["learners"], r["reached"]]
               for r in report.hours_rules]),
        Table("credentials", _("Credentials"),
              [_("Credential"), _("Expiring within %(days)s days", days=EXPIRY_DAYS),
               _("Expired"), _("Issued")],
              [[c["credential"], c["expiring"], c["expired"], c["issued"]]
               for c in report.credentials]),
        Table("schools", _("Schools"),
              [_("School"), _("Learners"), _("With a mentor"), _("Without a mentor"),
               _("In a track")],
              [[s["school"], s["learners"], s["with_mentor"], s["without_mentor"], s["in_track"]]
               for s in report.schools]),
    ]
    return {t.name: t for t in tables}


def progress_totals(report: CoordinatorReport) -> list[tuple[str, int]]:
    """Learners per progress bucket over all tracks (for the chart)."""
    return [(f"{key} %", sum(p[key] for p in report.progress)) for key, _lo, _hi in PROGRESS_BUCKETS]


def risk_totals(report: CoordinatorReport) -> list[tuple[str, int]]:
    return [(_("Overdue"), sum(r["overdue"] for r in report.risk)),
            (_("Due within %(weeks)s weeks", weeks=RISK_WEEKS), sum(r["due_soon"] for r in report.risk)),
            (_("Behind schedule"), sum(r["behind"] for r in report.risk))]
