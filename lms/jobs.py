"""Background jobs: work that must not run inside a web request, on a huey queue.

E-mail (notifications, reminders), the daily reminders, the retention review and plugins'
work such as xAPI delivery run in a worker process: ``lms worker``, and one started by
``lms serve`` unless ``--no-worker``. The queue is a SQLite file in the instance folder
(``jobs.sqlite``) by default; with ``JOBS_REDIS_URL`` it is Redis, so several app servers and
their workers share one queue.

A job is a named function registered at import time (``@job``, or ``@periodic`` with a
schedule), taking JSON-able arguments and doing its work in an app context. Jobs are
idempotent: running one twice does what running it once did. A job that raises is retried
with back-off (``retry_delay`` seconds, doubled per try); after its last try it is written
to ``job_failure`` (``JobFailure``), where the administrator sees it at ``/beheer/taken`` and
can run it again. Enqueueing never raises: a queue that cannot be reached is logged, and the
periodic jobs pick up what is left (notifications not e-mailed, events not yet delivered).

Settings: ``JOBS_REDIS_URL`` (empty: SQLite), ``JOBS_SQLITE_PATH`` (default
``<instance>/jobs.sqlite``), ``JOBS_QUEUE_NAME`` (``leerpad``; app servers sharing a queue use
the same), ``JOBS_POLL_SECONDS`` (the longest an idle worker waits before looking again,
0.5). ``JOBS_IMMEDIATE`` runs jobs at once inside the caller (huey's immediate mode); it defaults to
on under ``TESTING`` only, for tests where the queue itself is not under test.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from lms.clock import time_zone

log = logging.getLogger(__name__)

DEFAULT_RETRIES = 5  # tries after the first: 10 s, 20 s, 40 s, 80 s, 160 s apart
DEFAULT_RETRY_DELAY = 10
BACKOFF = 2
EXTENSION = "lms.jobs"
# Core modules that register jobs; plugins' modules are imported when the app loads them.
CORE_JOB_MODULES = ("lms.mail", "lms.notify", "lms.reminders", "lms.privacy.retention",
                    "lms.accounts.invitations", "lms.reports.exports")


@dataclass(frozen=True)
class Job:
    """A registered job: ``function(*args)`` runs in an app context; ``schedule(utc)`` (for a
    periodic job) says whether it is due in the minute starting at ``utc``."""

    name: str
    function: Callable[..., Any]
    retries: int = DEFAULT_RETRIES
    retry_delay: int = DEFAULT_RETRY_DELAY
    schedule: Callable[[datetime], bool] | None = None


JOBS: dict[str, Job] = {}


def job(name: str, *, retries: int = DEFAULT_RETRIES,
        retry_delay: int = DEFAULT_RETRY_DELAY) -> Callable:
    """Register ``function`` as the job ``name`` (``enqueue(name, *args)`` runs it later)."""
    def register(function: Callable) -> Callable:
        JOBS[name] = Job(name, function, retries, retry_delay)
        return function
    return register


def periodic(name: str, schedule: Callable[[datetime], bool], *, retries: int = 2,
             retry_delay: int = 60) -> Callable:
    """Register ``function`` as a job the worker runs whenever ``schedule`` says so."""
    def register(function: Callable) -> Callable:
        JOBS[name] = Job(name, function, retries, retry_delay, schedule)
        return function
    return register


def daily_at(hour: int, minute: int = 0,
             zone: ZoneInfo | None = None) -> Callable[[datetime], bool]:
    """A schedule: every day at ``hour:minute`` in ``zone`` (by default the configured
    TIMEZONE, so 06:00 stays 06:00 across summer time)."""
    def due(moment: datetime) -> bool:
        local = _aware(moment).astimezone(zone or ZoneInfo(time_zone()))
        return (local.hour, local.minute) == (hour, minute)
    due.__doc__ = f"daily at {hour:02d}:{minute:02d} {zone.key if zone else 'TIMEZONE'}"
    return due


def weekly_at(weekday: int, hour: int, minute: int = 0,
              zone: ZoneInfo | None = None) -> Callable[[datetime], bool]:
    """A schedule: every week on ``weekday`` (0 is Monday) at ``hour:minute`` in ``zone``
    (by default the configured TIMEZONE)."""
    def due(moment: datetime) -> bool:
        local = _aware(moment).astimezone(zone or ZoneInfo(time_zone()))
        return (local.weekday(), local.hour, local.minute) == (weekday, hour, minute)
    due.__doc__ = (f"weekly on day {weekday} at {hour:02d}:{minute:02d} "
                   f"{zone.key if zone else 'TIMEZONE'}")
    return due


def every_minute(moment: datetime) -> bool:
    """A schedule: every minute."""
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- the queue -----------------------------------------------------------------------------


def _build_queue(app: Flask):
    """The app's huey: Redis when configured, else SQLite in the instance folder; every
    registered job bound to ``app``."""
    import importlib

    from huey import RedisHuey, SqliteHuey, signals

    for module in CORE_JOB_MODULES:
        importlib.import_module(module)
    immediate = app.config.get("JOBS_IMMEDIATE")
    if immediate is None or immediate == "":
        immediate = bool(app.config.get("TESTING"))
    elif isinstance(immediate, str):  # LMS_JOBS_IMMEDIATE=false
        immediate = immediate.strip().lower() in {"1", "true", "yes", "on"}
    redis_url = app.config.get("JOBS_REDIS_URL")
    name = str(app.config.get("JOBS_QUEUE_NAME") or "leerpad")
    if redis_url:
        from redis import ConnectionPool

        # A Redis that does not answer must not hold a page up: short timeouts (longer than
        # the consumer's 1-second blocking read).
        pool = ConnectionPool.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)
        queue = RedisHuey(name, connection_pool=pool, immediate=bool(immediate), results=False)
    else:
        path = Path(app.config.get("JOBS_SQLITE_PATH") or Path(app.instance_path) / "jobs.sqlite")
        path.parent.mkdir(parents=True, exist_ok=True)
        queue = SqliteHuey(name, filename=str(path), immediate=bool(immediate),
                           results=False, timeout=30)
    queue.lms_tasks = {}  # type: ignore[attr-defined]
    for spec in list(JOBS.values()):
        _bind(queue, app, spec)

    @queue.signal(signals.SIGNAL_ERROR, signals.SIGNAL_TIMEOUT)
    def _failed(signal_name, task, exc=None):
        if task.retries:  # huey tries again later
            return
        spec = JOBS.get(getattr(task, "lms_job", ""))
        if spec is None:
            return
        error = "".join(traceback.format_exception_only(exc)).strip() if exc else signal_name
        with app.app_context():
            record_failure(spec, task.id, list(task.args or ()), error)

    return queue


def _bind(queue, app: Flask, spec: Job) -> None:
    def run(*args):
        from lms.extensions import db

        with app.app_context():
            try:
                return spec.function(*args)
            finally:
                db.session.remove()

    run.__name__ = spec.name
    options = {"retries": spec.retries, "retry_delay": spec.retry_delay,
               "retry_backoff": BACKOFF, "name": spec.name}
    if spec.schedule is not None:
        def due(moment: datetime, schedule=spec.schedule) -> bool:
            with app.app_context():  # the schedule reads this app's TIMEZONE
                return schedule(moment)

        wrapper = queue.periodic_task(due, **options)(run)
    else:
        wrapper = queue.task(**options)(run)
    wrapper.task_class.lms_job = spec.name
    queue.lms_tasks[spec.name] = wrapper


def get_queue(app: Flask | None = None):
    """The huey instance of ``app`` (the current app by default), built on first use."""
    app = app or current_app._get_current_object()
    queue = app.extensions.get(EXTENSION)
    if queue is None:
        queue = app.extensions[EXTENSION] = _build_queue(app)
    for name in set(JOBS) - set(queue.lms_tasks):  # a module imported after the queue was built
        _bind(queue, app, JOBS[name])
    return queue


def runs_at_once(app: Flask | None = None) -> bool:
    """True when jobs run inside the caller (``JOBS_IMMEDIATE``): there is no queue, so a
    caller that must tell the person the outcome may do the work itself."""
    return bool(get_queue(app).immediate)


def enqueue(name: str, *args: Any, delay: float | None = None) -> bool:
    """Queue the job ``name`` with ``args``; False (logged) when the queue cannot be reached.
    Never raises for a queue problem: the caller's work is already committed."""
    queue = get_queue()
    try:
        task = queue.lms_tasks[name]
    except KeyError:
        raise LookupError(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}") from None
    try:
        if delay:
            task.schedule(args=args, delay=delay)
        else:
            task(*args)
    except Exception:  # Redis down, SQLite file locked too long...
        log.exception("job %s%r could not be queued", name, args)
        return False
    return True


def enqueue_once(name: str, *args: Any, key: str, delay: float | None = None) -> bool:
    """Queue the job unless one with the same ``key`` is already waiting (the job clears the
    key with ``clear_once(key)`` when it starts), so a burst of triggers runs it once."""
    queue = get_queue()
    try:
        if not queue.put_if_empty(f"lms-once:{key}", b"1"):
            return True
    except Exception:
        log.exception("job %s%r could not be queued", name, args)
        return False
    if not enqueue(name, *args, delay=delay):
        clear_once(key)
        return False
    return True


def clear_once(key: str) -> None:
    """Let ``enqueue_once(..., key=key)`` queue the job again (call at the job's start)."""
    try:
        get_queue().get(f"lms-once:{key}", peek=False)
    except Exception:
        log.exception("could not clear job key %s", key)


def pending_count(app: Flask | None = None) -> int | None:
    """Jobs waiting in the queue (None when it cannot be reached)."""
    try:
        return len(get_queue(app))
    except Exception:
        return None


# --- failures --------------------------------------------------------------------------------


def record_failure(spec: Job, task_id: str, args: list, error: str) -> None:
    """Keep a job that failed after its last try. An open failure of the same job with the
    same arguments is updated, so an outage shows as one row that keeps counting."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models.base import utcnow
    from lms.models.jobs import JobFailure

    try:
        same = next((row for row in db.session.scalars(
            select(JobFailure).where(JobFailure.name == spec.name,
                                     JobFailure.retried_at.is_(None)))
            if list(row.args or []) == list(args)), None)
        if same is None:
            db.session.add(JobFailure(task_id=task_id, name=spec.name, args=list(args),
                                      error=error[:4000], tries=spec.retries + 1))
        else:
            same.error = error[:4000]
            same.tries = (same.tries or 0) + spec.retries + 1
            same.failed_at = utcnow()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("job %s failed (%s) and the failure could not be stored", spec.name, error)
    finally:
        db.session.remove()


def failures(limit: int = 200) -> list[Any]:
    """Failed jobs not yet retried, newest first."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models.jobs import JobFailure

    return list(db.session.scalars(
        select(JobFailure).where(JobFailure.retried_at.is_(None))
        .order_by(JobFailure.failed_at.desc(), JobFailure.id.desc()).limit(limit)))


def retry_failure(failure_id: int) -> bool:
    """Queue a failed job again (once); False when it is unknown, already retried, or the
    queue cannot be reached. Commits."""
    from sqlalchemy import update

    from lms.extensions import db
    from lms.models.base import utcnow
    from lms.models.jobs import JobFailure

    failure = db.session.get(JobFailure, failure_id)
    if failure is None or failure.retried_at is not None or failure.name not in JOBS:
        return False
    # Claim it first, so two clicks (or two admins) queue it once.
    claimed = db.session.execute(
        update(JobFailure).where(JobFailure.id == failure_id, JobFailure.retried_at.is_(None))
        .values(retried_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:
        return False
    if not enqueue(failure.name, *(failure.args or [])):
        db.session.execute(update(JobFailure).where(JobFailure.id == failure_id)
                           .values(retried_at=None))
        db.session.commit()
        return False
    return True


# --- the worker -------------------------------------------------------------------------------


def run_worker(app: Flask, *, threads: int = 2, periodic_jobs: bool = True,
               exit_with_parent: int | None = None) -> None:
    """Run the consumer until SIGTERM/SIGINT (finishing running jobs): ``threads`` jobs at a
    time, periodic jobs included. With ``exit_with_parent`` (a pid) it also stops when that
    process is gone (the worker ``lms serve`` starts)."""
    queue = get_queue(app)
    if queue.immediate:
        raise RuntimeError("JOBS_IMMEDIATE is on: there is no queue for a worker to read")
    max_delay = float(app.config.get("JOBS_POLL_SECONDS") or 0.5)
    consumer = queue.create_consumer(
        workers=threads, worker_type="thread", periodic=periodic_jobs, initial_delay=0.05,
        backoff=1.5, max_delay=max_delay, scheduler_interval=1, check_worker_health=True,
        graceful_signal="TERM", shutdown_timeout=30)
    if exit_with_parent:
        _watch_parent(exit_with_parent)
    consumer.run()


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while True:
            threading.Event().wait(1.0)
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="lms-parent-watch", daemon=True).start()
