"""Blueprints: one module per area; plugins add theirs through lms_register_blueprints."""
from __future__ import annotations

from flask import Blueprint, Flask

from lms.plugins import collect, get_pm


def register_blueprints(app: Flask) -> None:
    from lms.web import admin, api, assets, auth, learn, main, path
    from lms.web import limits
    from lms.web.inputs import IdConverter

    limits.init_app(app)
    # Before any blueprint: every route with an integer id says <id:name> (1 to 2**31 - 1).
    app.url_map.converters["id"] = IdConverter

    for bp in (main.bp, auth.bp, admin.bp, assets.bp, path.bp, api.bp, learn.bp):
        app.register_blueprint(bp)
    from lms.web import (calendar, coordinate, jobs_admin, mentor, notifications, privacy,
                         schoolopleider)
    for bp in (mentor.bp, schoolopleider.bp, coordinate.bp, privacy.bp, notifications.bp,
               jobs_admin.bp, calendar.bp):
        app.register_blueprint(bp)
    from lms.plugins import PluginError

    owners: dict[str, str] = {}
    for impl in reversed(get_pm(app).hook.lms_register_blueprints.get_hookimpls()):
        for bp in collect([impl.function(**{name: app for name in impl.argnames})]):
            if not isinstance(bp, Blueprint):
                raise PluginError(f"plugin {impl.plugin_name!r}: lms_register_blueprints "
                                  f"returned {bp!r}, not a Blueprint")
            if bp.name in app.blueprints:
                other = owners.get(bp.name, "the core")
                raise PluginError(f"plugin {impl.plugin_name!r}: a blueprint named {bp.name!r} "
                                  f"is already registered by {other}; rename it or disable one "
                                  f"of the two plugins")
            owners[bp.name] = f"plugin {impl.plugin_name!r}"
            app.register_blueprint(bp)

    from lms.web.old_urls import CORE, redirect_old_paths

    redirect_old_paths(app, CORE)  # English paths from before issue 17 answer 308

    from lms.access import can

    app.add_template_global(can)  # templates ask lms.access, never restate a rule

    from lms.web import formatting

    formatting.register(app)  # number, hours, duration, percent, day (lms.web.formatting)

    from lms.web.revalidation import navigation

    app.add_template_global(navigation, "nav_items")  # asked of the plugins once per request
