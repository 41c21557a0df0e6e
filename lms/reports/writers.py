"""Tables to files: CSV (the core exporter's rules) and XLSX (openpyxl)."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

# A cell whose text starts with one of these (after blanks, and after newlines written as
# %0A) may be read as a formula or a DDE call by a spreadsheet program: = + - @ |, and the
# full-width forms some programs also accept.
FORMULA_CHARACTERS = frozenset("=+-@|＝＋－＠｜")
# Blanks, line breaks and tabs, also URL-encoded, that may come before a formula character.
_LEAD = re.compile(r"(?:[\s\u3000]|%0[aAdD9])*")
# Characters an XLSX file cannot hold (XML 1.0); openpyxl refuses them.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def safe_cell(value):
    """Neutralise spreadsheet formulas in text cells (CSV/formula injection): a text that
    starts with a tab or line break, or whose first character after blanks and (encoded)
    line breaks is a formula character, gets a leading apostrophe and is shown as text."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r\n" or value[_LEAD.match(value).end():][:1] in FORMULA_CHARACTERS:
        return "'" + value
    return value


def _xlsx_cell(value):
    value = safe_cell(value)
    return _NOT_IN_XML.sub("\ufffd", value) if isinstance(value, str) else value


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
        sheet.append([_xlsx_cell(str(h)) for h in headers])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    for ch in '[]:*?/\\':
        title = title.replace(ch, " ")
    return title[:31] or "Sheet"


def csv_document(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV bytes through the core CSV exporter (``lms_exporters``, name ``csv``), encoded as it
    asks (``utf-8-sig``, so Excel reads accents); the local writer when there is none. Cells
    are neutralised here first, whatever the exporter does itself."""
    from lms.plugins import get_pm

    for found in get_pm().hook.lms_exporters():
        for exporter in found if isinstance(found, (list, tuple)) else [found]:
            if getattr(exporter, "name", None) == "csv":
                text = exporter.export([[safe_cell(v) for v in r] for r in rows],
                                       headers=[safe_cell(h) for h in headers])
                return text.encode(getattr(exporter, "encoding", None) or "utf-8-sig")
    return to_csv(headers, rows).encode("utf-8-sig")
