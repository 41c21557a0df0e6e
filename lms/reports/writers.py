"""Tables to files: CSV (the core exporter's rules) and XLSX (openpyxl)."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

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


def plain_number(value):
    """A number as data, the same in every language: whole numbers without ``.0`` (24, not
    24.0), others with a point (1.5). Anything else is returned as it is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A CSV document (comma separated, header row first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell("" if v is None else plain_number(v)) for v in row])
    return out.getvalue()


def to_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """An XLSX workbook with one sheet per ``(title, headers, rows)``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=sheet_title(title, used))
        sheet.append([_xlsx_cell(str(h)) for h in headers])
        for row in rows:  # numbers stay numbers (24, 1.5): the reader's Excel formats them
            sheet.append([_xlsx_cell(plain_number(v)) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHEET_TITLE_LENGTH = 31  # Excel's limit


def sheet_title(title: str, used: set[str] | None = None) -> str:
    """A sheet name Excel accepts: no ``[]:*?/\\``, at most 31 characters, cut after a
    whole word (never in the middle of one), and unique in the workbook (``used``)."""
    for ch in '[]:*?/\\':
        title = title.replace(ch, " ")
    title = " ".join(title.split()) or "Sheet"
    title = _shorten(title, SHEET_TITLE_LENGTH)
    if used is not None:
        base, n = title, 2
        while title.lower() in used:
            suffix = f" ({n})"
            title = _shorten(base, SHEET_TITLE_LENGTH - len(suffix)) + suffix
            n += 1
        used.add(title.lower())
    return title


def _shorten(text: str, length: int) -> str:
    if len(text) <= length:
        return text
    cut = text[:length + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–") if " " in text[:length + 1] else ""
    return cut if cut else text[:length]  # one word longer than the limit: cut it after all


def slug(text: str) -> str:
    """Lowercase ASCII words joined by hyphens, for a file name: 'Regio Progressus' →
    'regio-progressus', 'Uren & één norm' → 'uren-een-norm'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def export_filename(*parts: str, day: date, extension: str) -> str:
    """A download's file name in the reader's language: ``leerpad-<parts>-<date>.<ext>``,
    e.g. ``leerpad-regio-progressus-voortgang-2026-11-30.xlsx``."""
    words = [slug(p) for p in ("leerpad", *parts)]
    return "-".join(w for w in words if w) + f"-{day.isoformat()}.{extension}"


def csv_document(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV bytes through the core CSV exporter (``lms_exporters``, name ``csv``), encoded as it
    asks (``utf-8-sig``, so Excel reads accents); the local writer when there is none. Cells
    are neutralised here first, whatever the exporter does itself."""
    from lms.plugins import collect, get_pm

    for exporter in collect(get_pm().hook.lms_exporters()):
        if getattr(exporter, "name", None) == "csv":
            text = exporter.export([[safe_cell(plain_number(v)) for v in r] for r in rows],
                                   headers=[safe_cell(h) for h in headers])
            return text.encode(getattr(exporter, "encoding", None) or "utf-8-sig")
    return to_csv(headers, rows).encode("utf-8-sig")
