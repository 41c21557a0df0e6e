"""What the linter reports: a problem at ``path:line`` in a field, and the error that carries them."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# Warnings that ``--strict`` turns into errors (``Problem.rule``).
STRICT_RULES = {"unknown-key"}


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in a course tree; ``str()`` gives ``path:line: field: message``.

    ``path`` is relative to the tree's root (POSIX separators), ``line`` is 1-based (0 when the
    problem belongs to a whole file or folder), ``severity`` is ``"error"`` or ``"warning"``.
    Warnings are shown but never block an import, unless ``strict`` makes them errors: those
    carry a ``rule`` in ``STRICT_RULES`` (e.g. ``"unknown-key"``).
    """

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"
    rule: str = dataclasses.field(default="", compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


def strict(problems: list[Problem]) -> list[Problem]:
    """``problems`` with the warnings of ``STRICT_RULES`` made errors (``--strict``)."""
    return [dataclasses.replace(p, severity="error") if p.rule in STRICT_RULES else p
            for p in problems]


class ContentError(Exception):
    """A course tree failed validation; ``problems`` lists every finding (errors and warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.is_error]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the course files:\n{shown}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]
