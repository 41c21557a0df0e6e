"""Flask extensions, created unbound and initialised in create_app()."""
from __future__ import annotations

import os
from pathlib import Path

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
class LeerpadLimiter(Limiter):
    """Flask-Limiter whose counters, when no RATELIMIT_STORAGE is configured, live in
    ``ratelimit.sqlite`` in the instance folder: shared by every worker and process of this
    installation on this host (lms.accounts.throttle). Redis is for several hosts."""

    def init_app(self, app) -> None:
        from lms.accounts.throttle import sqlite_uri

        if not app.config.get("RATELIMIT_STORAGE"):
            app.config["RATELIMIT_STORAGE_URI"] = sqlite_uri(
                Path(app.instance_path) / "ratelimit.sqlite")
        super().init_app(app)


limiter = LeerpadLimiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


@migrate.configure
def _plugin_branches(config):
    """Alembic looks for revisions in the core folder and in every plugin's branch folder."""
    from lms import MIGRATIONS
    from lms.plugins import collect

    core = MIGRATIONS / "versions"
    locations = [str(core)]
    pm = current_app.extensions.get("lms.pm")
    if pm is not None:
        locations += [str(location) for location in collect(pm.hook.lms_migration_locations())]
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config
