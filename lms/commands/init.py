"""``lms init``: the first organisations and the first administrator of a new instance."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.cli import register
from lms.vocabulary import SECTORS


def _school(value: str) -> tuple[str, str]:
    name, _, sector = value.rpartition(":")
    if not name or sector not in SECTORS:
        raise click.BadParameter(f"{value!r}: give 'Name:sector' with sector one of "
                                 f"{', '.join(SECTORS)}", param_hint="--school")
    return name.strip(), sector


@click.command("init")
@click.option("--region", prompt="Name of the region", help="The region (top organisation).")
@click.option("--board", prompt="Name of the first board (bestuur)",
              help="A board in the region.")
@click.option("--school", "schools", multiple=True, metavar="NAME:SECTOR",
              help="A school of the board, e.g. 'De Wegwijzer:po'; repeat for more.")
@click.option("--admin-email", prompt="E-mail address of the administrator")
@click.option("--admin-name", prompt="Full name of the administrator")
@click.option("--admin-password", help="Asked for (twice, hidden) when left out.")
@with_appcontext
def init(region: str, board: str, schools: tuple[str, ...], admin_email: str,
         admin_name: str, admin_password: str | None) -> None:
    """Apply migrations, create region → board → schools and the first administrator."""
    from flask_babel import force_locale
    from sqlalchemy import select

    from lms.accounts import AccountError
    from lms.accounts.organisations import create_organisation
    from lms.accounts.passwords import check_new_password
    from lms.accounts.people import create_person
    from lms.commands.db import upgrade_and_report
    from lms.extensions import db
    from lms.models import Organisation

    parsed = [_school(value) for value in schools]
    for line in upgrade_and_report():
        click.echo(line)
    if db.session.scalar(select(Organisation.id).limit(1)) is not None:
        raise click.ClickException("This instance already has organisations; add more in "
                                   "the admin pages or with `lms users create`.")
    if admin_password is None:
        admin_password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with force_locale("en"):
        try:
            check_new_password(admin_password)
            top = create_organisation("region", region, None, None, actor=None)
            parent = create_organisation("board", board, None, top, actor=None)
            for name, sector in parsed:
                create_organisation("school", name, sector, parent, actor=None)
            admin = create_person(admin_name, admin_email, top, "admin", actor=None)
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(f"{exc.field or 'init'}: {exc.message}") from None
        admin.set_password(admin_password)
        db.session.commit()
    click.echo(f"Created {top.name} → {parent.name}"
               + (f" → {len(parsed)} school(s)" if parsed else "")
               + f" and the administrator {admin.email}. Start with `lms serve` and log in.")


register(init)
