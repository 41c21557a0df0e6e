"""The ``reflection`` lesson type: its front-matter keys and how they are checked."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

FIELDS = {"prompts": "list of prompts to write about: id, text"}


def validate(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems in a reflection lesson's front matter, as ``(field, message)``."""
    prompts = meta.get("prompts")
    if not isinstance(prompts, list) or not prompts:
        return [("prompts", "a reflection needs a list of at least one prompt")]
    problems: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, prompt in enumerate(prompts):
        at = f"prompts[{index}]"
        if not isinstance(prompt, dict):
            problems.append((at, "must be a mapping with id and text"))
            continue
        unknown = sorted(set(prompt) - {"id", "text"})
        if unknown:
            problems.append((at, f"unknown key(s): {', '.join(map(str, unknown))}"))
        pid = prompt.get("id")
        if not isinstance(pid, str) or not SLUG.match(pid):
            problems.append((f"{at}.id", f"must be a lowercase slug, got {pid!r}"))
        elif pid in seen:
            problems.append((f"{at}.id", f"duplicate prompt id '{pid}'"))
        else:
            seen.add(pid)
        text = prompt.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append((f"{at}.text", "a prompt needs its text"))
    return problems
