"""Erasing a person (AVG art. 17): personal data removed or anonymised, aggregates kept.

The account stays as an anonymous, inactive row so progress state, enrolments and
credentials still count in reports; everything the person wrote is deleted or blanked. The
core's tables follow the rules below (explicit ones, otherwise every free-text column of the
person's rows is blanked and referenced upload files are removed); each plugin erases its own
data through the ``lms_erase_personal_data`` hook, in the same transaction.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import LargeBinary, Table, Text, delete, or_, select, update

from lms.extensions import db
from lms.models.accounts import User
from lms.models.audit import audit
from lms.models.base import utcnow
from lms.models.privacy import ERASED_NAME, PrivacyStatus
from lms.plugins import get_pm
from lms.privacy.export import FILE_PATH_NAMES, USER_TABLE, core_tables, owner_column

# Rows deleted outright: what the person wrote that has no aggregate meaning.
DELETE_TABLES = ("development_goal", "api_token", "login_session", "calendar_feed",
                 "report_export")
# Rows kept but with these columns emptied (the numbers stay for the reports).
BLANK_COLUMNS = {
    "hours_entry": ("description", "evidence"),
    "competence_confirmation": ("note", "feedback"),
}
# Columns that describe an uploaded file (cleared with the file).
FILE_DESCRIPTION_NAMES = ("file_name", "file_type", "file_size")
# Rows that are the record of what happened, not what the person wrote.
KEEP_TABLES = {"audit_event", "progress_event", "privacy_status", "role_assignment"}


def placeholder_email(user_id: int) -> str:
    return f"verwijderd-{user_id}@leerpad.invalid"


def erase_person(user: User, *, by: User | None) -> None:
    """Anonymise ``user`` and delete their own texts and files, in one transaction."""
    uid = user.id
    tables = db.metadata.tables
    files: list[Path] = []
    # Other people's messages about this person, and both sides of mentoring pairs.
    if "notification" in tables:
        t = tables["notification"]
        db.session.execute(delete(t).where(or_(t.c.user_id == uid, t.c.subject_id == uid)))
    if "mentor_assignment" in tables:
        t = tables["mentor_assignment"]
        db.session.execute(delete(t).where(or_(t.c.mentor_id == uid, t.c.learner_id == uid)))
    get_pm().hook.lms_erase_personal_data(user=user)
    for table in core_tables():
        if table.name in KEEP_TABLES or table.name == USER_TABLE:
            continue
        column = owner_column(table)
        if column is None:
            continue
        _erase_rows(table, column, uid, files)
    user.name = ERASED_NAME
    user.email = placeholder_email(uid)
    user.password_hash = None
    user.active = False
    user.nlqf_level = None
    user.nlqf_target = None
    user.last_login_at = None
    user.auth_version = (user.auth_version or 0) + 1
    status = db.session.get(PrivacyStatus, uid) or PrivacyStatus(user_id=uid)
    status.erased_at = utcnow()
    status.flagged_for_review_at = None
    db.session.add(status)
    audit("person.erase", actor=by, subject=user, object_type="user", object_id=uid)
    db.session.commit()
    for path in files:  # only once the database no longer points at them
        path.unlink(missing_ok=True)


def _erase_rows(table: Table, column, uid: int, files: list[Path]) -> None:
    if table.name in DELETE_TABLES:
        _collect_files(table, column, uid, files)
        _delete_children(table, column, uid)
        db.session.execute(delete(table).where(column == uid))
        return
    names = BLANK_COLUMNS.get(table.name) or tuple(
        c.name for c in table.columns if isinstance(c.type, Text) and c is not column
    )
    path_cols = [n for n in FILE_PATH_NAMES if n in table.c]
    if path_cols:
        _collect_files(table, column, uid, files)
    values = {n: "" for n in names}
    blobs = [c for c in table.columns if isinstance(c.type, LargeBinary) and c.nullable]
    for c in blobs:  # uploaded files kept in the database, and what describes them
        values[c.name] = None
    if blobs:
        values.update({n: None for n in FILE_DESCRIPTION_NAMES
                       if n in table.c and table.c[n].nullable})
    for n in path_cols:
        values[n] = None if table.c[n].nullable else ""
    if values:
        db.session.execute(update(table).where(column == uid).values(**values))


def _delete_children(table: Table, column, uid: int) -> None:
    """Rows hanging off the deleted rows (answers of a reflection), where no cascade does it."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1:
        return
    owned = select(pk[0]).where(column == uid)
    for child in core_tables():
        for col in child.columns:
            if any(fk.column is pk[0] for fk in col.foreign_keys) and child is not table:
                db.session.execute(delete(child).where(col.in_(owned)))


def _collect_files(table: Table, column, uid: int, files: list[Path]) -> None:
    path_cols = [table.c[n] for n in FILE_PATH_NAMES if n in table.c]
    if not path_cols:
        return
    root = Path(current_app.instance_path).resolve()
    for row in db.session.execute(select(*path_cols).where(column == uid)):
        for rel in row:
            if rel:
                path = (root / rel).resolve()
                if root in path.parents:
                    files.append(path)
