"""``lms worker``: run the background jobs (e-mail, reminders, retention, xAPI delivery)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import register


@click.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Jobs run at the same time.")
@click.option("--no-periodic", is_flag=True,
              help="Leave the daily and periodic jobs to another worker.")
@click.option("--exit-with-parent", type=int, default=None, hidden=True,
              help="Stop when this process is gone (used by lms serve).")
@with_appcontext
def worker(threads: int, no_periodic: bool, exit_with_parent: int | None) -> None:
    """Run the job queue's consumer until stopped (SIGTERM or Ctrl+C finish running jobs)."""
    from lms.extensions import db
    from lms.jobs import get_queue, run_worker

    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s [worker] %(levelname)s "
                                                   "%(name)s: %(message)s")
    queue = get_queue(app)
    if queue.immediate:
        raise click.ClickException("JOBS_IMMEDIATE is on: jobs run where they are queued, "
                                   "there is nothing for a worker to do")
    where = "Redis" if app.config.get("JOBS_REDIS_URL") else f"SQLite {queue.storage.filename}"
    click.echo(f"Leerpad worker: {len(queue.lms_tasks)} job(s), queue in {where}, "
               f"{threads} thread(s){'' if not no_periodic else ', no periodic jobs'}", err=True)
    db.session.remove()
    db.engine.dispose()
    run_worker(app, threads=threads, periodic_jobs=not no_periodic,
               exit_with_parent=exit_with_parent)


register(worker)


if __name__ == "__main__":  # python -m lms.commands.worker (how lms serve starts one)
    from lms.cli import main

    main(["worker", *__import__("sys").argv[1:]])
