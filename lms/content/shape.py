"""Markdown shapes the renderer cannot take, found in one linear pass before it runs.

python-markdown recurses once per level of nested lists, block quotes and indentation (a
thousand ``- `` markers on one line raise RecursionError); it scans from every ``[`` and
``(`` left open to the end of the paragraph, and from every ``<tag`` left open to the next
``>`` (30,000 ``[`` take minutes); and it searches from every code fence that is never closed
to the end of the file. ``MAX_DEPTH`` of each is allowed at once, far more than a lesson
needs. What takes long in other ways is stopped by the render budget (``budget.py``).
"""
from __future__ import annotations

import bisect
import re

MAX_DEPTH = 20

# The patterns that look at line starts begin with "\n" (the text gets one in front): a literal
# first character lets the regex engine skip ahead instead of trying every position.
_FENCE = re.compile(r"\n(`{3,}|~{3,})([^\n]*)")
# An opening fence python-markdown surely takes (it takes a few more: those stay unchecked
# text here, which only makes the checks below stricter).
_OPENER_REST = re.compile(r"[ \t]*\.?[\w#.+-]*[ \t]*")
_RULE = re.compile(r"[ ]{0,3}(?:(?:-[ ]{0,2}){3,}|(?:\*[ ]{0,2}){3,}|(?:_[ ]{0,2}){3,})[ ]*")
_MARKER = re.compile(r"(>|[-*+](?=[ ]|$)|\d{1,9}[.)](?=[ ]|$))[ ]*")
# A line can only nest MAX_DEPTH deep if it starts with that many marker or space characters.
_DEEP = re.compile(r"\n([ \t>*+\-\d.)]{%d,}[^\n]*)" % (MAX_DEPTH + 1))
_TOKEN = re.compile(r"\\.|\n[ \t\0]*(?=\n)|[\[\]()>]|<[A-Za-z/!?]")
_OPEN_ADVICE = {
    "[": "'[' left open in one paragraph; close them with ']' or write '\\['",
    "(": "'(' left open in one paragraph; close them with ')' or write '\\('",
    "<": "'<' tags opened without a '>'; close them or write '&lt;'",
}


def shape_problems(body: str) -> list[tuple[int, str]]:
    """``(line index in body, message)`` for the first shape of each kind that is too deep."""
    text = "\n" + body.replace("\r", "\n")  # the renderer breaks lines at \r too
    text, found = _without_code(text)
    for match in _DEEP.finditer(text):
        line = match.group(1).expandtabs(4)
        if not _RULE.fullmatch(line) and _depth(line) > MAX_DEPTH:
            found.append((match.start(1), f"lists, quotes or indentation nested more than "
                                          f"{MAX_DEPTH} levels deep"))
            break
    found.extend(_left_open(text))
    return sorted((body.count("\n", 0, offset - 1), message) for offset, message in found)


def _without_code(text: str) -> tuple[str, list[tuple[int, str]]]:
    """``text`` with fenced code blanked out with NUL (offsets kept; course text has no NUL),
    and a problem when more than
    MAX_DEPTH fences are never closed (the renderer searches from each to the end)."""
    fences = list(_FENCE.finditer(text))
    closers: dict[str, list[int]] = {}
    for match in fences:
        if not match.group(2).strip(" \t"):
            closers.setdefault(match.group(1), []).append(match.start(1))
    pieces, unclosed, code_until = [], 0, -1
    for match in fences:
        start = match.start(1)
        if start <= code_until:
            continue
        after = closers.get(match.group(1), [])
        k = bisect.bisect_right(after, start)
        if k == len(after):
            unclosed += 1
            if unclosed > MAX_DEPTH:
                return text, [(start, f"more than {MAX_DEPTH} code fences (``` or ~~~) are "
                                      "never closed; close each with the same fence")]
        elif _OPENER_REST.fullmatch(match.group(2)):
            code_until = after[k] + len(match.group(1))
            pieces.append((start, code_until))
    kept, last = [], 0
    for start, end in pieces:
        kept += [text[last:start], "\0" * (end - start)]  # one blank "line" to the checks
        last = end
    return "".join(kept) + text[last:], []


def _depth(line: str) -> int:
    """Nesting levels a line opens: indentation in 4-space steps, then list and quote markers."""
    stripped = line.lstrip(" ")
    depth, position = (len(line) - len(stripped)) // 4, 0
    while depth <= MAX_DEPTH and (match := _MARKER.match(stripped, position)):
        depth += 1
        position = match.end()
    return depth


def _left_open(text: str) -> list[tuple[int, str]]:
    """The first place where more than MAX_DEPTH brackets of one kind are open at once."""
    if all(text.count(bracket) <= MAX_DEPTH for bracket in "[(<"):
        return []
    count = {"[": 0, "(": 0, "<": 0}
    for match in _TOKEN.finditer(text):
        token = match.group()[0]
        if token == "\\":
            continue
        if token == "\n":  # a blank line ends the paragraph (a '<tag' scan goes on)
            count["["] = count["("] = 0
        elif token == "]":
            count["["] = max(count["["] - 1, 0)
        elif token == ")":
            count["("] = max(count["("] - 1, 0)
        elif token == ">":
            count["<"] = 0
        else:
            count[token] += 1
            if count[token] > MAX_DEPTH:
                return [(match.start(), f"more than {MAX_DEPTH} {_OPEN_ADVICE[token]}")]
    return []
