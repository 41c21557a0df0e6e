"""Course checks without the whole app, so ``lms courses check`` starts in a fraction of a
second on an author's machine or in a course repository's CI.

A check needs the configuration (limits), and the plugins' content hooks
(``lms_activity_types``, ``lms_course_loaded``, ``lms_markdown_extensions``) — not the
models, views, extensions or blueprints that building the app imports. ``content_app``
builds a bare Flask app with the configuration and a plugin manager holding only the
modules that plugins declare for course checks in the entry-point group ``lms.content``
(``name = "package.module"``, the same name as in ``lms``; ``name =
"lms.content.check_app:NO_CONTENT_HOOKS"`` for a plugin that adds nothing to a check).

It gives up (None: the check builds the whole app, as before) when there is a database to
compare the folder with (references to other sources' courses), when a plugin folder
(``PLUGINS_DIRS``) holds a plugin, or when a loaded plugin declares nothing in
``lms.content`` — a plugin that does not know this group still takes part in every check.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import os
from pathlib import Path

from flask import Flask

CONTENT_ENTRY_POINT_GROUP = "lms.content"
NO_CONTENT_HOOKS = "no content hooks"
# The core's built-in plugins that implement a content hook (tests/test_check_app.py holds
# this equal to what the whole app's plugin manager calls).
CORE_CONTENT_PLUGINS = ("lms.default_plugins.page",)


def content_app() -> Flask | None:
    """A bare app for a course check from the environment's configuration, or None when the
    check needs the whole app (see the module's text)."""
    import pluggy

    from lms import hookspecs
    from lms.config import load_config
    from lms.plugins import ENTRY_POINT_GROUP, _dirs, _plugin_paths, plugin_filter

    instance_path = os.environ.get("LMS_INSTANCE_PATH")
    app = Flask("lms", instance_path=str(Path(instance_path).resolve()) if instance_path
                else None, instance_relative_config=True)
    load_config(app, {})
    if _database_exists(app.config["DATABASE_URL"]) or any(
            next(_plugin_paths(folder), None) for folder in _dirs(app.config.get("PLUGINS_DIRS"))):
        return None
    light = {ep.name: ep for ep in importlib.metadata.entry_points(
        group=CONTENT_ENTRY_POINT_GROUP)}
    wanted = plugin_filter(app.config)
    pm = pluggy.PluginManager("lms")
    pm.add_hookspecs(hookspecs)
    for dotted in CORE_CONTENT_PLUGINS:
        if wanted(dotted.rsplit(".", 1)[1], "built-in"):
            pm.register(importlib.import_module(dotted), name=dotted.rsplit(".", 1)[1])
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        source = f"entry point {ep.dist.name}" if ep.dist else "entry point"
        if not wanted(ep.name, source):
            continue
        if ep.name not in light:
            return None  # this plugin may check courses too: build the whole app
        try:
            module = light[ep.name].load()
        except Exception:  # noqa: BLE001  the whole app reports a broken plugin in one line
            return None
        if module is not NO_CONTENT_HOOKS:
            pm.register(module, name=ep.name)
    app.extensions["lms.pm"] = pm
    return app


def _database_exists(url: str) -> bool:
    """Whether there may be imported courses to compare with: any server database, or a
    SQLite file that exists."""
    if not url.startswith("sqlite:"):
        return True
    path = url.removeprefix("sqlite:///")
    return bool(path) and path != url and path != ":memory:" and Path(path).exists()
