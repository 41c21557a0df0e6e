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
    """Apply migrations, import the shipped courses, create the demo region (~300 people with a
    year of activity) and one account per role; print the logins."""
    from lms.commands.db import upgrade_and_report
    from lms.content import SHIPPED_COURSES
    from lms.demo import import_courses

    for line in upgrade_and_report():
        click.echo(line)
    ok, message = import_courses(SHIPPED_COURSES)
    click.echo(message, err=not ok)
    print_demo_logins()


register(demo)
