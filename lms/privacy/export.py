"""Everything Leerpad holds about one person, as one zip: ``data.json`` plus their files.

The core's own tables are found by walking its schema: a row belongs to the person when its
*owner column* points at them, and rows of tables hanging off such rows come along. Plugins
answer for their own data through the ``lms_personal_data`` hook (``data["plugins"]``); the
core never reads a plugin's tables. Secrets (password and token hashes) are left out.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Table, select

from lms.extensions import db
from lms.models.accounts import User
from lms.models.base import utcnow

USER_TABLE = "user_account"
# The column that says whose row it is, where a table has several references to people.
OWNER_COLUMN = {
    "audit_event": "subject_id",          # who did what with *their* data
    "notification": "user_id",
    "competence_confirmation": "learner_id",
    "mentor_assignment": "learner_id",
}
OWNER_NAMES = ("user_id", "learner_id", "owner_id", "author_id", "actor_id")
SECRET = re.compile(r"(password|token_hash|secret)", re.I)
# Tables that are about the platform, not about a person, even though they point at one
# (form_claim: which forms were handled already, a digest kept for a day; lms.tracking.once).
SKIP_TABLES = {USER_TABLE, "form_claim"}
# Columns holding paths of uploaded files relative to the instance folder.
FILE_PATH_NAMES = ("file_path", "storage_path", "stored_path")


def core_tables() -> list[Table]:
    """The core's own tables (models defined in ``lms``), in dependency order."""
    names = {mapper.local_table.name for mapper in db.Model.registry.mappers
             if mapper.class_.__module__.split(".")[0] == "lms"}
    return [table for table in db.metadata.sorted_tables if table.name in names]


def owner_column(table: Table):
    """The column of ``table`` that names the row's owner, or None."""
    refs = [c for c in table.columns
            if any(fk.column.table.name == USER_TABLE for fk in c.foreign_keys)]
    if not refs:
        return None
    wanted = OWNER_COLUMN.get(table.name)
    if wanted:
        return table.c[wanted]
    for name in OWNER_NAMES:
        if name in table.c and table.c[name] in refs:
            return table.c[name]
    return refs[0] if len(refs) == 1 else None


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def collect(user: User) -> tuple[dict, list[tuple[str, bytes]]]:
    """The person's data as a JSON-able dict, and their files as ``(zip path, bytes)``."""
    tables: dict[str, list[dict]] = {}
    files: list[tuple[str, bytes]] = []
    owned: dict[str, set] = {}
    core = core_tables()
    for table in core:
        if table.name in SKIP_TABLES:
            continue
        column = owner_column(table)
        if column is None:
            continue
        rows = db.session.execute(select(table).where(column == user.id)).mappings().all()
        _add_rows(table, rows, tables, files, owned)
    # One level down: rows that belong to an owned row (and name no owner themselves).
    for table in core:
        if table.name in SKIP_TABLES or owner_column(table) is not None:
            continue
        for column in table.columns:
            for fk in column.foreign_keys:
                parent = fk.column.table.name
                if parent in owned and owned[parent]:
                    rows = db.session.execute(
                        select(table).where(column.in_(sorted(owned[parent])))
                    ).mappings().all()
                    _add_rows(table, rows, tables, files, owned)
    account = {c.name: _jsonable(getattr(user, c.key)) for c in User.__table__.columns
               if not SECRET.search(c.name) and c.name != "auth_version"}
    data = {"exported_at": utcnow().isoformat(), "account": account, "tables": tables,
            "plugins": _plugin_data(user, files)}
    return data, files


def _plugin_data(user: User, files: list[tuple[str, bytes]]) -> dict[str, dict]:
    """What each plugin holds about the person (``lms_personal_data``); bytes become files."""
    from lms.plugins import get_pm

    found: dict[str, dict] = {}
    for impl in reversed(get_pm().hook.lms_personal_data.get_hookimpls()):
        sections = impl.function(user=user)
        if not sections:
            continue
        for section, rows in sections.items():
            for number, row in enumerate(rows):
                for key, value in row.items():
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        label = _safe_name(row.get("file_name") or key)
                        name = f"files/{impl.plugin_name}/{section}/{number + 1}-{label}"
                        files.append((name, bytes(value)))
                        row[key] = {"file": name}
                    else:
                        row[key] = _jsonable(value)
        found[impl.plugin_name] = sections
    return found


def _add_rows(table: Table, rows, tables, files, owned) -> None:
    if not rows:
        return
    pk = list(table.primary_key.columns)
    bucket = tables.setdefault(table.name, [])
    for row in rows:
        record = {}
        for column in table.columns:
            if SECRET.search(column.name):
                continue
            value = row[column.name]
            if isinstance(value, (bytes, bytearray, memoryview)):
                label = _safe_name(row.get("file_name") or column.name)
                name = f"files/{table.name}/{row[pk[0].name] if pk else len(files)}-{label}"
                files.append((name, bytes(value)))
                value = {"file": name}
            record[column.name] = _jsonable(value)
        bucket.append(record)
        if len(pk) == 1:
            owned.setdefault(table.name, set()).add(row[pk[0].name])


def _safe_name(name: str) -> str:
    """A file name without directories or odd characters, for inside the zip."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(name).replace("\\", "/").rsplit("/", 1)[-1])
    return name.strip("._") or "file"


def export_zip(user: User, extra_files: list[tuple[str, bytes]] | None = None) -> bytes:
    """The zip the person downloads: ``data.json`` and ``files/...``."""
    data, files = collect(user)
    files += _disk_files(data)
    files += list(extra_files or [])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for name, payload in files:
            archive.writestr(name, payload)
    return out.getvalue()


def _disk_files(data: dict) -> list[tuple[str, bytes]]:
    """Uploaded files kept in the instance folder, referenced by path columns."""
    from pathlib import Path

    from flask import current_app

    root = Path(current_app.instance_path).resolve()
    found = []
    for table, rows in data["tables"].items():
        for row in rows:
            for name in FILE_PATH_NAMES:
                rel = row.get(name)
                if not rel:
                    continue
                path = (root / rel).resolve()
                if root in path.parents and path.is_file():
                    found.append((f"files/{table}/{path.name}", path.read_bytes()))
    return found
