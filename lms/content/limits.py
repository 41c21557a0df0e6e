"""How far a course tree reaches and what one file may cost.

Every file and folder is resolved (symbolic links followed) and must stay inside the tree's
own resolved root: a link that leaves it is reported and skipped, never read. A file's size
is taken with ``stat`` before it is read, and no more than the limit is read in case it grows
meanwhile. ``lms courses check`` and ``import`` use the same limits, from the settings
``COURSE_FILE_MAX_BYTES`` and ``COURSE_RENDER_SECONDS`` (the latter used by ``render.py``).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.content.problems import Problem


@dataclass(frozen=True)
class Limits:
    file_max_bytes: int = 1_000_000  # per Markdown or YAML file
    render_seconds: float = 10.0  # per Markdown file; 0: no limit

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(file_max_bytes=int(config.get("COURSE_FILE_MAX_BYTES", cls.file_max_bytes)),
                   render_seconds=float(config.get("COURSE_RENDER_SECONDS", cls.render_seconds)))


class TreeFiles:
    """The files of one course tree, kept inside its root and within ``limits``."""

    def __init__(self, root: Path, limits: Limits):
        self.root = root
        self.base = root.resolve()
        self.limits = limits

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def outside(self, path: Path) -> str | None:
        """Why ``path`` is not part of the tree (a link out of it, or a looping link), or None."""
        try:
            if path.resolve().is_relative_to(self.base):
                return None
        except (OSError, RuntimeError):  # a link that points at itself
            return "is a symbolic link that loops"
        target = os.readlink(path) if path.is_symlink() else str(path.resolve())
        return f"is a symbolic link to '{target}', outside the course tree"

    def entries(self, folder: Path, wanted: Callable[[Path], bool],
                problems: list[Problem]) -> list[Path]:
        """The ``wanted`` entries of ``folder`` (itself inside the tree), sorted by name; one
        that leads out of the tree is reported (naming the link) and left out."""
        found = []
        for path in sorted(p for p in folder.iterdir() if wanted(p)):
            reason = self.outside(path) if path.is_symlink() else None
            if reason is None:
                found.append(path)
            elif path.is_dir():
                problems.append(Problem(self.rel(path) + "/", 0, "folder",
                                        f"{reason}: copy the folder into the tree"))
            else:
                problems.append(Problem(self.rel(path), 0, "file",
                                        f"{reason}: copy the file into the tree"))
        return found

    def read(self, path: Path, problems: list[Problem]) -> bytes | None:
        """The file's bytes, or None (and a problem) when it is too large or unreadable."""
        limit = self.limits.file_max_bytes
        rel = self.rel(path)
        try:
            size = path.stat().st_size
            if size <= limit:
                with path.open("rb") as fh:
                    raw = fh.read(size + 1)
                    if len(raw) > size:  # it grew since stat: read on, up to the limit
                        raw += fh.read(limit + 1 - len(raw))
                if len(raw) <= limit:
                    return raw
                size = len(raw)
        except OSError as exc:
            problems.append(Problem(rel, 0, "file", f"cannot be read: {exc.strerror or exc}"))
            return None
        problems.append(Problem(rel, 0, "file", f"is {size:,} bytes; a course file may be at "
                                f"most {limit:,} bytes (setting COURSE_FILE_MAX_BYTES)"))
        return None
