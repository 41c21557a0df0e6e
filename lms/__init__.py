"""Leerpad: a learning platform for teachers and teacher educators."""
from __future__ import annotations

import os
from pathlib import Path

import pluggy
from flask import Flask

hookimpl = pluggy.HookimplMarker("lms")

# The core's Alembic environment and its branch "lms", shipped inside the package.
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

__all__ = ["create_app", "hookimpl"]


def create_app(config: dict | None = None, *, serve: bool = False) -> Flask:
    """Application factory: configuration, extensions, plugins, blueprints.

    ``serve=True`` (``lms serve``'s workers, ``lms.wsgi``) also refuses to build an app while a
    plugin's setting that serving needs is unset (``lms.plugins.PluginError``)."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("LMS_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )

    from lms.config import load_config

    load_config(app, config)
    app.jinja_env.add_extension("jinja2.ext.do")

    from lms import models  # noqa: F401  (registers every table)
    from lms import hours_rules  # noqa: F401  (its table joins the metadata)
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
    from lms.plugins import create_plugin_manager
    from lms import changes, connections
    from lms.web import errors, i18n, security

    db.init_app(app)
    connections.init_app(app)
    changes.init_app(app)
    from lms.search import include_name

    migrate.init_app(app, db, directory=str(MIGRATIONS),
                     render_as_batch=True, compare_type=True, include_name=include_name)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app, babel)
    login_manager.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    pm = create_plugin_manager(app)
    app.extensions["lms.pm"] = pm

    from lms.web import register_blueprints

    register_blueprints(app)

    with app.app_context():
        pm.hook.lms_startup(app=app)
    if serve:
        from lms.plugins import PluginError, missing_serve_settings

        missing = missing_serve_settings(app)
        if missing:
            raise PluginError("; ".join(missing))
    return app
