"""Coordinator exports: small ones download at once, large ones are prepared by the worker.

A workbook of every table of an organisation's report (``rapport.xlsx``) costs a query per
table over every learner of the subtree plus writing the file. Above
``REPORT_EXPORT_QUEUE_LEARNERS`` learners it is a job (``reports.export``): the person asks
for it (a POST), sees it being prepared on their downloads page, and gets a notification (and
e-mail, when SMTP is set) when it is ready. The file is kept in the database (any app server
can hand it out) for ``KEEP`` (24 hours), for that person only, then deleted
(``reports.expire_exports``, hourly). A CSV of one table stays immediate: it costs what showing
the report page costs. Coordinators see counts only, so the file holds no names.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from lms.access import can
from lms.clock import today
from lms.extensions import db
from lms.jobs import enqueue, job, periodic
from lms.models.accounts import User
from lms.models.base import utcnow
from lms.models.exports import FAILED, QUEUED, READY, ReportExport
from lms.models.organisations import Organisation
from lms.reports.scope import subtree_ids
from lms.reports.sql import learner_ids

KEEP = timedelta(hours=24)
XLSX = "xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def learners_covered(org_id: int) -> int:
    """Learners in the organisation and everything under it (one query)."""
    ids = learner_ids(subtree_ids([org_id])).distinct().subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def is_large(org_id: int) -> bool:
    """True when the workbook of ``org_id``'s report is prepared by the worker."""
    limit = int(current_app.config["REPORT_EXPORT_QUEUE_LEARNERS"])
    return learners_covered(org_id) > limit


def report_workbook(org: Organisation, today: date) -> tuple[str, bytes]:
    """The file name and bytes of the workbook with every table of ``org``'s report, in the
    current language."""
    from lms.reports.coordinator import coordinator_report
    from lms.reports.tables import coordinator_tables
    from lms.reports.writers import export_filename, to_xlsx

    cfg = current_app.config
    start = cfg.get("HOURS_CYCLE_START")
    data = coordinator_report(org.id, today, cycle_years=int(cfg["HOURS_CYCLE_YEARS"]),
                              benchmark=float(cfg["HOURS_BENCHMARK"]),
                              cycle_start=int(start) if start not in (None, "") else None)
    tables = coordinator_tables(data)
    body = to_xlsx((t.title, t.headers, t.rows) for t in tables.values())
    return export_filename(org.name, _("progress"), day=today, extension="xlsx"), body


def request_export(user: User, org: Organisation, locale: str) -> ReportExport:
    """Record the request and queue its job (commits). In immediate mode (tests) the job has
    run when this returns; when the queue cannot be reached the row says so."""
    export = ReportExport(user_id=user.id, organisation_id=org.id, kind=XLSX, locale=locale,
                          status=QUEUED, expires_at=utcnow() + KEEP)
    db.session.add(export)
    db.session.commit()
    export_id = export.id
    if not enqueue("reports.export", export_id):
        export.status, export.error = FAILED, "queue unreachable"
        db.session.commit()
    return db.session.get(ReportExport, export_id, populate_existing=True)


@job("reports.export")
def prepare_export(export_id: int) -> str:
    """The job: make the workbook, keep it for its owner and tell them; an export that is
    already ready (a retry, a second worker) is left alone. The owner must still be allowed
    to see the organisation's report."""
    export = db.session.get(ReportExport, export_id)
    if export is None or export.status == READY:
        return "gone" if export is None else READY
    owner = db.session.get(User, export.user_id)
    org = db.session.get(Organisation, export.organisation_id)
    if owner is None or org is None or not owner.active or not can(
            owner, "coordinator.dashboard", org):
        export.status, export.error, export.finished_at = FAILED, "not allowed", utcnow()
        db.session.commit()
        return FAILED
    try:
        with force_locale(export.locale):
            name, body = report_workbook(org, today())
    except Exception as exc:
        db.session.rollback()
        export.status, export.error = FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise  # tried again with back-off; a later try can still make it READY
    export.file_name, export.content, export.error = name, body, None
    export.status, export.finished_at = READY, utcnow()
    export.expires_at = export.finished_at + KEEP
    note = _notify_ready(export, org)
    db.session.commit()
    if note is not None:
        from lms.notify import deliver

        deliver([note])
    return READY


def _notify_ready(export: ReportExport, org: Organisation):
    from lms.notify import link, notify

    return notify(export.user_id, "report_ready", params={"organisation": org.name},
                  link=link("coordinate.downloads"), key=f"report-export-{export.id}")


def downloads_of(user: User) -> list[ReportExport]:
    """The person's exports that have not expired, newest first (one query, files not read)."""
    return list(db.session.scalars(
        select(ReportExport).where(ReportExport.user_id == user.id,
                                   ReportExport.expires_at > utcnow())
        .order_by(ReportExport.created_at.desc(), ReportExport.id.desc())))


def download(user: User, export_id: int) -> ReportExport | None:
    """The person's own ready, unexpired export with its file; None for anything else
    (someone else's, expired, not ready, unknown)."""
    export = db.session.get(ReportExport, export_id)
    if (export is None or export.user_id != user.id or export.status != READY
            or export.expires_at <= utcnow()):
        return None
    return export


@periodic("reports.expire_exports", lambda moment: moment.minute == 17)
def expire_exports() -> int:
    """Hourly: delete expired exports and their files; returns how many."""
    gone = db.session.execute(delete(ReportExport).where(ReportExport.expires_at <= utcnow()))
    db.session.commit()
    return gone.rowcount or 0
