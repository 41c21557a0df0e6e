"""``lms privacy`` (retention) and ``lms notify`` (daily reminders, e-mail retries)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import register


@click.group("privacy", help="Data retention and erasure.")
def privacy_group() -> None:
    pass


@privacy_group.command("flag-inactive")
@click.option("--days", type=int, default=None, help="Override RETENTION_DAYS.")
@with_appcontext
def flag_inactive(days: int | None) -> None:
    """Flag accounts unused for longer than RETENTION_DAYS for an admin's review."""
    from lms.privacy.retention import flag_inactive as flag

    days = int(current_app.config["RETENTION_DAYS"]) if days is None else days
    if days < 1:
        raise click.BadParameter("must be at least 1", param_hint="--days")
    count = flag(days)
    click.echo(f"{count} account(s) newly flagged for review (inactive > {days} days).")


@click.group("notify", help="Notifications: daily reminders and e-mail.")
def notify_group() -> None:
    pass


@notify_group.command("deadlines")
@with_appcontext
def deadlines() -> None:
    """Remind learners of track deadlines within 30 days and expiring credentials (run daily)."""
    from lms.notify import send_unsent
    from lms.reminders import remind_all

    created = remind_all()
    sent = send_unsent()
    click.echo(f"{created} reminder(s) created, {sent} e-mail(s) sent.")


@notify_group.command("send")
@with_appcontext
def send() -> None:
    """E-mail notifications that have not been e-mailed yet (when SMTP is configured)."""
    from lms.notify import mail_configured, send_unsent

    if not mail_configured():
        raise click.ClickException("MAIL_SERVER is not configured")
    click.echo(f"{send_unsent()} e-mail(s) sent.")


register(privacy_group)
register(notify_group)
