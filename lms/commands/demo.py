"""``lms demo``: create (or refresh) the demo region and print its logins."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.cli import register


def print_demo_logins() -> None:
    """Create the demo data and print the login table (needs an app context)."""
    from lms.demo import REGION, create_demo_data, format_logins

    logins = create_demo_data()
    click.echo(f"\nDemo logins for {REGION} (new passwords on every run):\n")
    click.echo(format_logins(logins))
    click.echo("")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Apply migrations, create the demo region and one account per role; print the logins."""
    from lms.commands.db import upgrade_and_report

    for line in upgrade_and_report():
        click.echo(line)
    print_demo_logins()


register(demo)
