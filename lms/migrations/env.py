"""Alembic environment: runs inside the Flask app context (Flask-Migrate)."""
from alembic import context
from flask import current_app

config = context.config
migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=current_app.config["SQLALCHEMY_DATABASE_URI"],
        target_metadata=target_metadata,
        literal_binds=True,
        **migrate_ext.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(ctx, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    args = dict(migrate_ext.configure_args)
    args.setdefault("process_revision_directives", skip_empty)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
