"""``lms db``: the schema comes only from migrations; upgrade applies every branch head."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import register


def _script():
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def _applied_heads() -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    from lms.extensions import db

    with db.engine.connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def _below(script, heads: tuple[str, ...]) -> set[str]:
    """Every revision at or below ``heads`` (what a database at those heads has)."""
    if not heads:
        return set()
    return {rev.revision for rev in script.iterate_revisions(heads, "base")}


def _branch_of(script) -> dict[str, str]:
    """Revision id → the label of its branch ("lms", "quiz", …): the label of the first
    revision with one on the way down to its base."""
    labels: dict[str, str] = {}

    def label(revision_id: str) -> str:
        if revision_id not in labels:
            rev = script.get_revision(revision_id)
            down = rev.down_revision
            if rev.branch_labels:
                labels[revision_id] = sorted(rev.branch_labels)[0]
            elif down:
                labels[revision_id] = label(down if isinstance(down, str) else down[0])
            else:
                labels[revision_id] = revision_id
        return labels[revision_id]

    for rev in script.walk_revisions():
        label(rev.revision)
    return labels


def upgrade_and_report(revision: str = "heads") -> list[str]:
    """Upgrade, then describe what happened: one line per branch that got revisions, or one
    line saying the database was already up to date. Needs an app context."""
    from flask_migrate import upgrade as alembic_upgrade

    script = _script()
    before = _below(script, _applied_heads())
    alembic_upgrade(revision=revision)
    applied = _below(script, _applied_heads()) - before
    if not applied:
        return ["Database already up to date."]
    branch = _branch_of(script)
    per_branch: dict[str, list[str]] = {}
    # Oldest first, as they were applied.
    for rev in reversed(list(script.walk_revisions())):
        if rev.revision in applied:
            per_branch.setdefault(branch.get(rev.revision, "?"), []).append(rev.revision)
    return [f"Applied {len(revs)} revision(s) on branch {label}: {', '.join(revs)}"
            for label, revs in per_branch.items()]


@click.group("db", help="Database migrations (core and plugin branches).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade(revision: str) -> None:
    """Upgrade the database to every head (core and plugins) and say what was applied."""
    for line in upgrade_and_report(revision):
        click.echo(line)


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str) -> None:
    """Downgrade to REVISION (e.g. 'base' or 'lms@-1')."""
    from flask_migrate import downgrade as alembic_downgrade

    alembic_downgrade(revision=revision)


register(db_group)
