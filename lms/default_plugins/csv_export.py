"""The core CSV exporter, offered through ``lms_exporters`` like any plugin's format.

Comma separated, header row first, formulas neutralised by the same rule as the reports'
downloads (``lms.reports.writers.safe_cell``). The text has no BOM; whoever serves it as a
file encodes it with the exporter's ``encoding`` (``utf-8-sig``) so Excel reads the accents
right.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import Exporter
from lms.reports.writers import safe_cell


def _cell(value: Any) -> Any:
    return "" if value is None else safe_cell(value)


def export_csv(rows: Iterable[Mapping[str, Any] | Sequence[Any]],
               headers: Sequence[str] | None = None) -> str:
    """Rows (dicts, or sequences with ``headers``) as CSV text. Without ``headers`` the
    columns are the keys of the first dict, in order."""
    rows = list(rows)
    if headers is None:
        headers = list(rows[0].keys()) if rows and isinstance(rows[0], Mapping) else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headers])
    for row in rows:
        values = [row.get(h) for h in headers] if isinstance(row, Mapping) else row
        writer.writerow([_cell(v) for v in values])
    return out.getvalue()

@hookimpl(trylast=True)
def lms_exporters():
    return [Exporter(name="csv", label=_l("CSV (spreadsheet)"), media_type="text/csv",
                     extension="csv", export=export_csv, encoding="utf-8-sig")]
