"""The coordinator's view of an organisation subtree: counts, charts and exports (no names,
no texts: coordinators see status and counts)."""
from __future__ import annotations


from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from lms.access import dashboard_orgs, require
from lms.clock import local_time, today
from lms.extensions import db
from lms.models import Organisation
from lms.reports import charts, exports
from lms.reports.coordinator import coordinator_report
from lms.reports.tables import coordinator_tables, progress_totals, programme_labels, risk_totals
from lms.reports.writers import csv_document, export_filename

bp = Blueprint("coordinate", __name__, url_prefix="/coordinatie")


class EmptyForm(FlaskForm):
    """A button that only needs its CSRF token."""


def _org(org_id: int) -> Organisation:
    org = db.get_or_404(Organisation, org_id)
    require(current_user, "coordinator.dashboard", org)
    return org


def _report(org: Organisation):
    cfg = current_app.config
    start = cfg.get("HOURS_CYCLE_START")
    return coordinator_report(org.id, today(), cycle_years=int(cfg["HOURS_CYCLE_YEARS"]),
                              benchmark=float(cfg["HOURS_BENCHMARK"]),
                              cycle_start=int(start) if start not in (None, "") else None)


@bp.get("")
@login_required
def index():
    require(current_user, "coordinator.dashboard")
    orgs = dashboard_orgs(current_user, "coordinator")
    if len(orgs) == 1:
        return redirect(url_for("coordinate.report", org_id=orgs[0].id))
    return render_template("coordinate/index.html", orgs=orgs)


@bp.get("/<id:org_id>")
@login_required
def report(org_id: int):
    org = _org(org_id)
    data = _report(org)
    tables = coordinator_tables(data)
    labels = programme_labels()
    chart = {
        "programmes": charts.bar_chart(
            "chart-programmes", _("Participants per programme"),
            _("Number of learners enrolled in each programme; the table below has the numbers."),
            [(labels[k], v) for k, v in data.programmes.items()]),
        "progress": charts.bar_chart(
            "chart-progress", _("Progress in tracks"),
            _("Number of track enrolments per share of the track completed."),
            progress_totals(data)),
        "risk": charts.bar_chart(
            "chart-risk", _("Deadlines at risk"),
            _("Active track enrolments that are overdue, due soon or behind schedule."),
            risk_totals(data)),
        "hours": charts.bar_chart(
            "chart-hours", _("Hours against each person's rule"),
            _("Learners by their professionalisation hours in the current period of their own "
              "hours rule, as a share of that rule's hours."),
            [(f"{h['bucket']} %", h["learners"]) for h in data.hours]),
    }
    return render_template("coordinate/report.html", org=org, data=data, tables=tables,
                           chart=chart, children=org.children)


@bp.get("/<id:org_id>/<table>.csv")
@login_required
def export_csv(org_id: int, table: str):
    org = _org(org_id)
    tables = coordinator_tables(_report(org))
    if table not in tables:
        abort(404)
    found = tables[table]
    body = csv_document(found.headers, found.rows)
    name = export_filename(org.name, found.title, day=today(), extension="csv")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/<id:org_id>/rapport.xlsx")
@login_required
def export_xlsx(org_id: int):
    """The workbook at once; for a large subtree a page offering to prepare it (a GET writes
    nothing, so the request itself is the form's POST)."""
    org = _org(org_id)
    if exports.is_large(org.id):
        return render_template("coordinate/prepare.html", org=org, form=EmptyForm(),
                               learners=exports.learners_covered(org.id))
    name, body = exports.report_workbook(org, today())
    return _file(name, body)


@bp.post("/<id:org_id>/rapport.xlsx/aanvragen")
@login_required
def prepare_xlsx(org_id: int):
    """Queue the workbook of a large subtree; the person follows it on their downloads page."""
    org = _org(org_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    export = exports.request_export(current_user, org, str(get_locale() or "nl"))
    if export.status == exports.READY:
        flash(_("Your export is ready."), "success")
    elif export.status == exports.QUEUED:
        flash(_("Your export is being prepared. It appears on this page when it is ready, and "
                "you get a notification."), "success")
    else:
        flash(_("Your export could not be prepared right now. Please try again later."), "error")
    return redirect(url_for("coordinate.downloads"))


@bp.get("/downloads")
@login_required
def downloads():
    """The person's prepared exports (two queries: the session's person, the list)."""
    require(current_user, "coordinator.dashboard")
    return render_template("coordinate/downloads.html", exports=exports.downloads_of(current_user),
                           keep_hours=int(exports.KEEP.total_seconds() // 3600),
                           local=local_time)


@bp.get("/downloads/<id:export_id>")
@login_required
def download(export_id: int):
    """A prepared export, for the person who asked for it only (404 for anyone else)."""
    require(current_user, "coordinator.dashboard")
    export = exports.download(current_user, export_id)
    if export is None:
        abort(404)
    return _file(export.file_name, export.content)


def _file(name: str, body: bytes) -> Response:
    return Response(body, mimetype=exports.XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
