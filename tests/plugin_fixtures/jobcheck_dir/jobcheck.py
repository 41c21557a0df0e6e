"""A plugin with two jobs for tests/test_jobs.py: one that appends a line to a file (and fails
while a ``.block`` file sits beside it), run by a real worker process."""
from __future__ import annotations

from pathlib import Path

from lms.jobs import job


@job("jobcheck.append", retries=1, retry_delay=1)
def append(path: str, line: str) -> None:
    target = Path(path)
    if target.with_suffix(".block").exists():
        raise RuntimeError(f"blocked by {target.with_suffix('.block').name}")
    with target.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
