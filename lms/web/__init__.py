"""Blueprints: one module per area; plugins add theirs through lms_register_blueprints."""
from __future__ import annotations

from flask import Blueprint, Flask
from flask_login import current_user

from lms.plugins import get_pm


def _flatten(results):
    for result in results:
        if result is None:
            continue
        if isinstance(result, (list, tuple)):
            yield from result
        else:
            yield result


def register_blueprints(app: Flask) -> None:
    from lms.web import admin, auth, main

    for bp in (main.bp, auth.bp, admin.bp):
        app.register_blueprint(bp)
    pm = get_pm(app)
    for bp in _flatten(pm.hook.lms_register_blueprints(app=app)):
        if not isinstance(bp, Blueprint):
            raise TypeError(f"lms_register_blueprints returned {bp!r}, not a Blueprint")
        app.register_blueprint(bp)

    @app.context_processor
    def navigation():
        def nav_items():
            items = _flatten(get_pm(app).hook.lms_nav_items(user=current_user))
            return sorted(items, key=lambda item: (item.order, str(item.label)))

        return {"nav_items": nav_items}
