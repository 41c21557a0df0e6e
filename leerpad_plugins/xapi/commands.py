"""``lms xapi status`` and ``lms xapi backfill [--since DATE]``."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import with_appcontext


@click.group("xapi", help="xAPI: delivery of learning records to the configured LRSs.")
def xapi_group() -> None:
    pass


@xapi_group.command("status")
@with_appcontext
def status_command() -> None:
    """Per LRS: statements sent, events waiting and the oldest one's age, the last error."""
    from .delivery import status

    rows = status()
    if not rows:
        click.echo("No LRS configured (XAPI_LRS_URL, XAPI_LRSS): nothing is sent.")
        return
    for row in rows:
        lag = "-" if row.lag_seconds is None else f"{row.lag_seconds:.1f}s"
        click.echo(f"{row.name}: {row.url}")
        click.echo(f"  sent {row.sent}, waiting {row.waiting}, lag {lag}, last sent "
                   f"{row.last_sent_at.isoformat(timespec='seconds') if row.last_sent_at else '-'}")
        if row.last_error:
            click.echo(f"  last error ({row.last_error_at:%Y-%m-%d %H:%M} UTC): {row.last_error}")


@xapi_group.command("backfill")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only events from this day (UTC) on; default: all history.")
@click.option("--lrs", "names", multiple=True, help="Only this LRS (by name); repeatable.")
@click.option("--now", "at_once", is_flag=True,
              help="Send here and now instead of leaving it to the worker.")
@with_appcontext
def backfill_command(since: datetime | None, names: tuple[str, ...], at_once: bool) -> None:
    """Send past learning events again (statement ids are fixed: nothing is doubled)."""
    from .delivery import backfill, configured_lrss, deliver, nudge

    if not configured_lrss():
        raise click.ClickException("no LRS configured (XAPI_LRS_URL, XAPI_LRSS)")
    backfill(since.replace(tzinfo=timezone.utc) if since else None, list(names) or None)
    if at_once:
        for lrs in configured_lrss():
            if not names or lrs.name in names:
                click.echo(f"{lrs.name}: {deliver(lrs.name)} statement(s) sent.")
    else:
        nudge()
        click.echo("Cursors moved back; the worker sends the history (see lms xapi status).")
