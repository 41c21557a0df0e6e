"""``lms serve``: migrate, optionally add demo data, then run the app under gunicorn and one
job worker (``lms worker``) beside it, which stops with the server."""
from __future__ import annotations

import os
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import register


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, object]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",  # stdout
        "errorlog": "-",
        "preload_app": False,  # one app per worker, created after the fork
        "proc_name": "leerpad",
        # Recent gunicorns open a control socket in ~/.gunicorn; two servers would share it.
        "control_socket_disable": True,
    }


@click.command("serve")
@click.option("--demo", is_flag=True,
              help="Import the shipped courses and create the demo region with logins.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-worker", is_flag=True,
              help="Do not start a job worker (run `lms worker` apart, e.g. on another host).")
@with_appcontext
def serve(demo: bool, host: str, port: int, workers: int, no_worker: bool) -> None:
    """Apply all migrations, then serve Leerpad with gunicorn (access log on stdout) and one
    background-job worker."""
    from lms.commands.db import upgrade_and_report
    from lms.commands.gunicorn_server import LeerpadServer
    from lms.extensions import db
    from lms.plugins import missing_serve_settings

    app = current_app._get_current_object()
    missing = missing_serve_settings(app)
    if missing:
        for line in missing:
            click.echo(f"Error: {line}", err=True)
        raise SystemExit(1)
    for line in upgrade_and_report():
        click.echo(line)
    if demo:
        from lms.commands.demo import print_demo_logins
        from lms.content import SHIPPED_COURSES
        from lms.demo import import_courses

        ok, message = import_courses(SHIPPED_COURSES)
        click.echo(message, err=not ok)
        print_demo_logins()
    # By default the workers share the login-throttle counters in the instance folder
    # (lms.accounts.throttle); only an explicit memory:// store splits them.
    if workers > 1 and str(app.config["RATELIMIT_STORAGE"]).startswith("memory://"):
        click.echo(f"Warning: RATELIMIT_STORAGE is memory://, so each of the {workers} workers "
                   "counts failed logins on its own; leave it empty (a shared file in the "
                   "instance folder) or use redis://.", err=True)
    # Connections must not cross the fork into the workers.
    db.session.remove()
    db.engine.dispose()
    click.echo(f"Leerpad at http://{host}:{port}/ (stop with Ctrl+C)")
    job_worker = None if no_worker else start_worker()
    try:
        LeerpadServer(gunicorn_options(host, port, workers)).run()
    finally:
        if job_worker is not None:
            stop_worker(job_worker)


def start_worker() -> subprocess.Popen:
    """One ``lms worker`` beside the server, with the same configuration (environment)."""
    return subprocess.Popen([sys.executable, "-m", "lms.commands.worker",  # nosec B603
                             "--exit-with-parent", str(os.getpid())])


def stop_worker(proc: subprocess.Popen, seconds: float = 30) -> None:
    """Let running jobs finish (SIGTERM), then kill after ``seconds``."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


register(serve)
