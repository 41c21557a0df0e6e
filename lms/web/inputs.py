"""Bounded input: ids in URLs, forms and query strings.

Whatever a client sends is checked here before it reaches the database, so that a hostile
value is a 404 (in a URL) or a form error, never a 500: database integers are 32-bit
(PostgreSQL's ``integer`` refuses 2147483648, SQLite's driver refuses anything above 2**63).
"""
from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

# The largest value of a database id column (a signed 32-bit ``integer`` on PostgreSQL).
MAX_ID = 2_147_483_647
_ID = re.compile(r"[0-9]{1,10}")


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id, 1 to 2147483647 written with at most ten digits; anything
    else does not match the route (404). Every route with an integer id uses it."""

    regex = r"\d{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 (werkzeug's signature)
        super().__init__(map, min=1, max=MAX_ID)


def to_id(raw) -> int:
    """An id from a form or query string; raises ``ValueError`` for anything that is not one
    (so ``request.form.get(name, type=to_id)`` gives None for it)."""
    if isinstance(raw, bool):
        raise ValueError("not an id")
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        if not _ID.fullmatch(text):
            raise ValueError("not an id")
        value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError("id out of range")
    return value


def bounded_int(low: int, high: int):
    """A ``type=`` for ``request.args.get``: an integer from ``low`` to ``high`` (at most ten
    digits are read), else ``ValueError`` (so the default is used)."""

    def convert(raw) -> int:
        text = str(raw).strip()
        if not re.fullmatch(r"-?[0-9]{1,10}", text):
            raise ValueError("not a number")
        value = int(text)
        if not low <= value <= high:
            raise ValueError("out of range")
        return value

    return convert
