"""A time limit on rendering one course file, so no Markdown keeps check or import busy.

In the main thread (every ``lms`` command) a SIGALRM timer interrupts the work when the time
is up and costs nothing until then. In other threads, where signals cannot be used, a trace
function reads the clock on every Python call (rendering is then about 1.6 times slower).
Either way the work stops with ``OverBudget`` at the next Python instruction; one long C
call (a single regular-expression search) ends first, which is why ``shape.py`` keeps the
inputs that make those long away from the renderer.
"""
from __future__ import annotations

import gc
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import ContextManager


class OverBudget(BaseException):
    """The time is up. A BaseException, so that no ``except Exception`` in a Markdown
    extension can swallow it and carry on."""


def time_limit(seconds: float) -> ContextManager[None]:
    """Stop the block with ``OverBudget`` after ``seconds``; 0 or less means no limit."""
    if seconds <= 0:
        return nullcontext()
    if (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)):
        return _alarm(seconds)
    return _traced(seconds)


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """The exception is raised wherever the interpreter is when the timer fires. If that is a
    callback whose exceptions Python ignores (a weak-reference callback during garbage
    collection, say), it is lost; so the handler re-arms the timer and fires again shortly,
    and the cyclic collector, the usual source of such callbacks, waits until the block ends."""
    armed = True

    def expire(signum, frame) -> None:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, _AGAIN)
            raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    collecting = gc.isenabled()
    gc.disable()
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
        if collecting:
            gc.enable()


_AGAIN = 0.05  # seconds until the timer fires again when its exception was swallowed


@contextmanager
def _traced(seconds: float) -> Iterator[None]:
    """Python drops a trace function that raises; raised inside a callback whose exceptions
    Python ignores, the exception would be lost with it and the work run on unlimited (seen
    in CI: a weak-reference callback of SQLAlchemy during a garbage collection). So, as for
    the alarm, the cyclic collector waits until the block ends."""
    deadline = time.monotonic() + seconds
    clock = time.monotonic

    def check(frame, event, arg) -> None:
        if clock() >= deadline:
            raise OverBudget  # Python also removes this trace function when it raises
        return None

    previous = sys.gettrace()
    collecting = gc.isenabled()
    gc.disable()
    sys.settrace(check)
    try:
        yield
    finally:
        sys.settrace(previous)
        if collecting:
            gc.enable()
