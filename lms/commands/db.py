"""``lms db``: the schema comes only from migrations; upgrade applies every branch head."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import downgrade as alembic_downgrade
from flask_migrate import upgrade as alembic_upgrade

from lms.cli import register


@click.group("db", help="Database migrations (core and plugin branches).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade(revision: str) -> None:
    """Upgrade the database to every head (core and plugins)."""
    alembic_upgrade(revision=revision)
    click.echo("Database is up to date.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    """Downgrade to REVISION (e.g. 'base' or 'lms@-1')."""
    alembic_downgrade(revision=revision)


register(db_group)
