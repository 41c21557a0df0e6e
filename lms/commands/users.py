"""``lms users``: create an account (e.g. the first admin) and import people from CSV."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.cli import register
from lms.vocabulary import ROLES


@click.group("users", help="Accounts: create one, or import people from a CSV file.")
def users_group() -> None:
    pass


def _organisation(name: str):
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.models import Organisation

    matches = list(db.session.scalars(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())))
    if not matches:
        raise click.BadParameter(f"no organisation is called {name!r}", param_hint="--org")
    if len(matches) > 1:
        raise click.BadParameter(f"more than one organisation is called {name!r}",
                                 param_hint="--org")
    return matches[0]


@users_group.command("create")
@click.option("--email", required=True, help="E-mail address (the login).")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Role in the organisation.")
@click.option("--org", "org_name", required=True, help="Organisation name, e.g. the region.")
@click.option("--password", help="Password; asked for (twice, hidden) when left out.")
@with_appcontext
def create(email: str, name: str, role: str, org_name: str, password: str | None) -> None:
    """Create an account with a password and one role, e.g. the first administrator."""
    from flask_babel import force_locale

    from lms.accounts import AccountError
    from lms.accounts.passwords import check_new_password
    from lms.accounts.people import create_person
    from lms.extensions import db

    with force_locale("en"):
        org = _organisation(org_name)
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            check_new_password(password)
            user = create_person(name, email, org, role, actor=None)
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        user.set_password(password)
        db.session.commit()
        click.echo(f"Created {user.email} ({role} at {org.name}).")


@users_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_(csv_file: Path) -> None:
    """Import people from CSV (name, email, school, role); nothing is imported when a row is bad."""
    from flask_babel import force_locale

    from lms.accounts.invitations import deliver_invitation
    from lms.accounts.people_import import import_people
    from lms.extensions import db

    with force_locale("en"):
        result = import_people(csv_file.read_bytes(), actor=None)
        if result.problems:
            db.session.rollback()
            for problem in result.problems:
                click.echo(f"{csv_file}:{problem.line}: {problem.message}", err=True)
            click.echo(f"{len(result.problems)} problem(s); nobody was imported.", err=True)
            raise SystemExit(1)
        db.session.commit()
        click.echo(f"{len(result.people)} people imported.")
        for person in result.people:
            invitation = deliver_invitation(person)
            status = {"emailed": "invitation e-mailed", "queued": "invitation queued for e-mail"
                      }.get(invitation.delivery, invitation.link)
            click.echo(f"{person.email}  {status}")
        db.session.commit()


register(users_group)
