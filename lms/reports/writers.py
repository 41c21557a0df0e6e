"""Tables to files: CSV (the core exporter's rules) and XLSX (openpyxl)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas in text cells (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A CSV document (comma separated, header row first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell("" if v is None else v) for v in row])
    return out.getvalue()


def to_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """An XLSX workbook with one sheet per ``(title, headers, rows)``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title))
        sheet.append([safe_cell(str(h)) for h in headers])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for ch in '[]:*?/\\':
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"


def csv_document(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV bytes through the core CSV exporter (``lms_exporters``, name ``csv``), encoded as it
    asks (``utf-8-sig``, so Excel reads accents); the local writer when there is none."""
    from lms.plugins import get_pm

    for found in get_pm().hook.lms_exporters():
        for exporter in found if isinstance(found, (list, tuple)) else [found]:
            if getattr(exporter, "name", None) == "csv":
                text = exporter.export([list(r) for r in rows], headers=list(headers))
                return text.encode(getattr(exporter, "encoding", None) or "utf-8-sig")
    return to_csv(headers, rows).encode("utf-8-sig")
