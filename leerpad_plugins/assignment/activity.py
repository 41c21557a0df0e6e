"""The ``assignment`` lesson type: its front-matter keys and how they are checked."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SIGNERS = ("mentor", "schoolopleider")
MAX_MB = 100
FILE_TYPE = re.compile(r"^[a-z0-9]{1,10}$")

MAX_CRITERIA = 20
MAX_CRITERION = 200

FIELDS = {
    "sign_off": "who approves the submission: mentor (default) or schoolopleider",
    "submission": "what the learner hands in: text (true/false) and optionally "
                  "file: {max_mb, types}",
    "criteria": f"what the reviewer checks, as a list of short texts (at most {MAX_CRITERIA}, "
                f"{MAX_CRITERION} characters each): a checklist ticked when signing off and "
                "stored with the decision",
}


def _criteria_problems(criteria: Any) -> list[tuple[str, str]]:
    if not isinstance(criteria, list) or not criteria:
        return [("criteria", "must be a list of short texts, like [Concreet, Haalbaar]")]
    if len(criteria) > MAX_CRITERIA:
        return [("criteria", f"at most {MAX_CRITERIA} criteria, got {len(criteria)}")]
    problems, seen = [], set()
    for index, criterion in enumerate(criteria):
        where = f"criteria[{index}]"
        if not isinstance(criterion, str) or not criterion.strip():
            problems.append((where, f"must be a text, got {criterion!r}"))
        elif len(criterion) > MAX_CRITERION:
            problems.append((where, f"at most {MAX_CRITERION} characters, got {len(criterion)}"))
        elif criterion.strip().lower() in seen:
            problems.append((where, f"{criterion!r} is listed twice"))
        else:
            seen.add(criterion.strip().lower())
    return problems


def validate(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems in an assignment lesson's front matter, as ``(field, message)``."""
    problems: list[tuple[str, str]] = []
    sign_off = meta.get("sign_off", "mentor")
    if sign_off not in SIGNERS:
        problems.append(("sign_off", f"must be mentor or schoolopleider, got {sign_off!r}"))
    if "criteria" in meta:
        problems.extend(_criteria_problems(meta["criteria"]))
    submission = meta.get("submission", {"text": True})
    if not isinstance(submission, dict):
        return problems + [("submission", "must be a mapping like {text: true}")]
    unknown = sorted(set(submission) - {"text", "file"})
    if unknown:
        problems.append(("submission", f"unknown key(s): {', '.join(map(str, unknown))}"))
    text = submission.get("text", True)
    if not isinstance(text, bool):
        problems.append(("submission.text", "must be true or false"))
    file = submission.get("file")
    if file is None:
        if text is False:
            problems.append(("submission", "asks for neither text nor a file"))
        return problems
    if not isinstance(file, dict):
        return problems + [("submission.file", "must be a mapping like {max_mb: 10, types: [pdf]}")]
    unknown = sorted(set(file) - {"max_mb", "types"})
    if unknown:
        problems.append(("submission.file", f"unknown key(s): {', '.join(map(str, unknown))}"))
    max_mb = file.get("max_mb", 10)
    if isinstance(max_mb, bool) or not isinstance(max_mb, (int, float)) or not 0 < max_mb <= MAX_MB:
        problems.append(("submission.file.max_mb",
                         f"must be a number above 0 and at most {MAX_MB}, got {max_mb!r}"))
    types = file.get("types")
    if not isinstance(types, list) or not types:
        problems.append(("submission.file.types", "must be a list of file extensions like [pdf, docx]"))
    else:
        for index, kind in enumerate(types):
            if not isinstance(kind, str) or not FILE_TYPE.match(kind):
                problems.append((f"submission.file.types[{index}]",
                                 f"must be a lowercase file extension without dot, got {kind!r}"))
    return problems
