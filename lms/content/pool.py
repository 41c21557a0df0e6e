"""Rendering many course files at once, on every core the import may use.

Rendering Markdown is pure Python and most of a first import's time, so a large import renders
its files in forked worker processes. Each worker inherits the configured ``Renderer`` (plugin
extensions included) from the importing process, so only the text goes in and the HTML comes
back; the per-file time limit works there as in the importer itself (each worker renders in its
own main thread).

The pool is used only where forking is safe and worth it: a start method ``fork`` exists, the
importing process runs a single thread (the ``lms`` command, not a threaded web or test
server), and there are at least ``MIN_FILES`` files to render.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence

from lms.content.render import RenderError, Renderer

MIN_FILES = 100  # below this, starting the workers costs more than they save

Job = tuple[str, Mapping[str, str] | None]  # (Markdown, relative URL rewrites)

_renderer: Renderer | None = None  # the renderer forked workers inherit


def usable_workers(requested: int | None = None) -> int:
    """How many processes to render with: ``requested``, or one per core this process may run
    on; 1 where forking is not available or not safe."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, requested if requested else (cores or 1))


def render_all(renderer: Renderer, jobs: Sequence[Job],
               workers: int = 1) -> list[str | RenderError]:
    """Each job's HTML, or the ``RenderError`` that says why it could not be rendered, in
    the order of ``jobs``."""
    if workers <= 1 or len(jobs) < MIN_FILES:
        return [_render(renderer, job) for job in jobs]
    global _renderer
    _renderer = renderer
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunk = max(1, len(jobs) // (workers * 8))
            done = pool.map(_render_in_worker, jobs, chunksize=chunk)
    finally:
        _renderer = None
    return [RenderError(message) if failed else html for failed, html, message in done]


def _render(renderer: Renderer, job: Job) -> str | RenderError:
    text, urls = job
    try:
        return renderer.render(text, urls)
    except RenderError as exc:
        return exc


def _render_in_worker(job: Job) -> tuple[bool, str, str]:
    assert _renderer is not None, "set before the pool forked"
    result = _render(_renderer, job)
    if isinstance(result, RenderError):
        return True, "", str(result)
    return False, result, ""
