"""Reading one course file: front matter (with the line of every key) and the Markdown body.

Line numbers are 1-based and relative to the file, so problems point where the author looks.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lms.content.problems import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_DELIMITER = re.compile(r"^(---|\.\.\.)\s*$")
# Escapes such as "\0" or "\x07" get past YAML's own check; PostgreSQL cannot store NUL at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MERGE = "tag:yaml.org,2002:merge"
# Front matter needs a handful of levels (a quiz: questions, options); 20 is plenty.
MAX_YAML_DEPTH = 20


@dataclass
class SourceFile:
    """A parsed file: its front matter ``meta``, where each key sits, and the body."""

    path: Path  # absolute
    rel: str  # relative to the tree root, POSIX separators
    raw: bytes
    meta: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # "key", "courses[1].after" → line
    body: str = ""
    body_line: int = 1  # file line of the body's first line
    has_front_matter: bool = False
    renderable: bool = True  # False when the body has a shape the renderer cannot take

    def line_of(self, field_path: str) -> int:
        """The line of a field (or its nearest parent); 1 when the field is absent."""
        probe = field_path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return 1

    def problem(self, field_path: str, message: str, severity: str = "error",
                line: int | None = None, rule: str = "") -> Problem:
        return Problem(self.rel, self.line_of(field_path) if line is None else line,
                       field_path, message, severity, rule)


def load_yaml(text: str, first_line: int) -> tuple[Any, dict[str, int], list[tuple[int, str]]]:
    """Parse YAML keeping the line of every key and list item.

    ``first_line`` is the file line of the YAML's first line. Returns ``(data, lines, errors)``
    where errors are ``(line, message)``; a duplicate key is reported as an error too. Anchors,
    aliases and nesting deeper than ``MAX_YAML_DEPTH`` are refused (no data); a merge key is
    an error.
    """
    loader = _Loader(text)
    lines: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    try:
        refused = _refuse_references(text) if _may_refer_or_nest(text) else None
        if refused:
            return None, {}, [(first_line + refused[0], refused[1])]
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        _walk(node, "", lines, errors, first_line)
        data = loader.construct_document(node)  # a refused merge key is harmless without aliases
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        message = " ".join(part for part in (exc.context, exc.problem) if part)
        return None, {}, [(line, f"invalid YAML: {message}")]
    except yaml.reader.ReaderError as exc:  # a control character: say where, on one line
        line = first_line + text.count("\n", 0, exc.position)
        return None, {}, [(line, f"invalid YAML: {exc.reason} (U+{exc.character:04X})"
                           if isinstance(exc.character, int) else f"invalid YAML: {exc.reason}")]
    except yaml.YAMLError as exc:
        return None, {}, [(first_line, "invalid YAML: " + " ".join(str(exc).split()))]
    finally:
        loader.dispose()
    return data, lines, errors


def _may_refer_or_nest(text: str) -> bool:
    """Whether ``_refuse_references`` could find anything: anchors and aliases start with '&'
    and '*', and each level of nesting needs one of '[', '{', ':', '-' or '?'. (Most front
    matter has neither, and skipping the second pass keeps re-imports fast.)"""
    return "&" in text or "*" in text or sum(map(text.count, "[{:-?")) > MAX_YAML_DEPTH


def _refuse_references(text: str) -> tuple[int, str] | None:
    """The first anchor, alias or too-deep nesting as ``(line offset, message)``, else None.

    Aliases let a few hundred bytes expand into billions of values (a "billion laughs"), so
    front matter and frameworks are plain trees: every value written out where it is used.
    This reads the YAML's events only, which costs the same as the text's length.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line
        if isinstance(event, yaml.AliasEvent):
            return line, (f"alias '*{event.anchor}' is not allowed: write the value out "
                          "where it is used")
        if getattr(event, "anchor", None):
            return line, (f"anchor '&{event.anchor}' is not allowed: write each value out "
                          "where it is used")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                return line, f"nested more than {MAX_YAML_DEPTH} levels deep"
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _walk(node, prefix: str, lines: dict[str, int], errors: list, offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            line = key_node.start_mark.line + offset
            if key_node.tag == _MERGE:
                errors.append((line, "merge key '<<' is not allowed: write the keys out"))
                continue
            if key in seen:
                errors.append((line, f"duplicate key {path!r}"))
            seen.add(key)
            _refuse_control(key_node, path, errors, offset)
            lines.setdefault(path, line)
            _walk(value_node, path, lines, errors, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}[{index}]"
            lines.setdefault(path, item.start_mark.line + offset)
            _walk(item, path, lines, errors, offset)
    elif isinstance(node, yaml.ScalarNode):
        _refuse_control(node, prefix, errors, offset)


def _refuse_control(node, path: str, errors: list, offset: int) -> None:
    if isinstance(node, yaml.ScalarNode) and (bad := _CONTROL.search(node.value)):
        where = f"{path!r} " if path else ""
        errors.append((node.start_mark.line + offset,
                       f"{where}contains a control character (U+{ord(bad.group()):04X}); "
                       "remove it or write the text without escapes"))


def parse_markdown_file(path: Path, rel: str, raw: bytes) -> tuple[SourceFile, list[Problem]]:
    """Split a Markdown file (its bytes ``raw``) into front matter and body, parsing the
    front matter."""
    source = SourceFile(path=path, rel=rel, raw=raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return source, [Problem(rel, 1, "file", f"not UTF-8 text ({exc.reason})")]
    text = text.replace("\r\n", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return source, [Problem(rel, line, "file", "contains a NUL character (U+0000)")]
    if not text.startswith("---") or not _DELIMITER.match(text.split("\n", 1)[0]):
        source.body = text
        return source, []
    all_lines = text.split("\n")
    end = next((i for i in range(1, len(all_lines)) if _DELIMITER.match(all_lines[i])), None)
    if end is None:
        return source, [Problem(rel, 1, "front matter", "no closing '---' line")]
    source.has_front_matter = True
    source.body = "\n".join(all_lines[end + 1:])
    source.body_line = end + 2
    data, lines, errors = load_yaml("\n".join(all_lines[1:end]), first_line=2)
    problems = [Problem(rel, line, "front matter", message) for line, message in errors]
    if data is None and not errors:
        data = {}
    if data is not None and not isinstance(data, dict):
        problems.append(Problem(rel, 2, "front matter", "must be a mapping of 'key: value' lines"))
        data = {}
    source.meta = data or {}
    source.lines = lines
    return source, problems


def parse_yaml_file(path: Path, rel: str, raw: bytes) -> tuple[SourceFile, list[Problem]]:
    """Parse a whole-YAML file (a competence framework) from its bytes ``raw``."""
    source = SourceFile(path=path, rel=rel, raw=raw, has_front_matter=True)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return source, [Problem(rel, 1, "file", f"not UTF-8 text ({exc.reason})")]
    data, lines, errors = load_yaml(text, first_line=1)
    problems = [Problem(rel, line, "yaml", message) for line, message in errors]
    if data is not None and not isinstance(data, dict):
        problems.append(Problem(rel, 1, "yaml", "must be a mapping of 'key: value' lines"))
        data = None
    source.meta = data or {}
    source.lines = lines
    return source, problems


@dataclass(frozen=True)
class Reference:
    """A link or image target written in a body, with its file line."""

    target: str
    line: int
    image: bool


# A target may hold balanced parentheses, one level deep, as python-markdown allows
# ("javascript:alert(1)" must be seen to be reported).
_INLINE = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))+)>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_DEFINITION = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*<?([^\s>]+)>?")
_HTML = re.compile(r"<(img|a|source|video|audio)\b[^>]*?\b(src|href)\s*=\s*[\"']([^\"']+)[\"']", re.I)
_CODE_SPAN = re.compile(r"`+[^`]*`+")


def references(source: SourceFile) -> list[Reference]:
    """Every link and image target in the body, outside code blocks and code spans."""
    found: list[Reference] = []
    in_fence = False
    for offset, line in enumerate(source.body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or ("](" not in line and "]:" not in line and "<" not in line):
            continue
        number = source.body_line + offset
        line = _CODE_SPAN.sub("", line)
        for match in _INLINE.finditer(line):
            found.append(Reference(match.group(2), number, bool(match.group(1))))
        match = _DEFINITION.match(line)
        if match:
            found.append(Reference(match.group(1), number, False))
        for match in _HTML.finditer(line):
            found.append(Reference(html.unescape(match.group(3)), number,
                                   match.group(1).lower() != "a"))
    return found
