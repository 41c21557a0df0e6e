"""The plugin manager: one per app, kept in ``app.extensions["lms.pm"]``.

Plugins come from three places, in this order: the core's own ``DEFAULT_PLUGINS``
(built-in), installed distributions with an entry point in the group ``lms`` (the plugins
bundled with Leerpad among them), and every module or package in the ``PLUGINS_DIRS``
directories (``<instance>/plugins`` by default).
``PLUGINS`` (an allow-list) and ``DISABLED_PLUGINS`` choose among them by name. A plugin
package's ``templates/`` joins the template search path and its ``static/`` is served at
``/plugins/<name>/static/<file>``.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, abort, current_app, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader

from lms import hookspecs

log = logging.getLogger(__name__)

# The core's own behaviour, written against the same hooks as any plugin.
DEFAULT_PLUGINS = (
    "lms.default_plugins.navigation",
    "lms.default_plugins.page",
    "lms.default_plugins.completion",
    "lms.default_plugins.permissions",
    "lms.default_plugins.notifications",
    "lms.default_plugins.supervision",
    "lms.default_plugins.csv_export",
)
ENTRY_POINT_GROUP = "lms"


class PluginError(RuntimeError):
    """A plugin could not be loaded; the message names it."""


@dataclass
class PluginInfo:
    """What ``lms plugins`` shows about one loaded plugin."""

    name: str
    source: str  # "built-in", "entry point <dist>" or "directory <path>"
    version: str
    module: ModuleType
    hooks: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path | None:
        """The package's folder (for templates/ and static/), None for a single module."""
        init = getattr(self.module, "__file__", None)
        if init and Path(init).name == "__init__.py":
            return Path(init).parent
        return None


def _names(value) -> set[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return {n.strip() for n in value.split(",") if n.strip()}
    return set(value)


def create_plugin_manager(app: Flask) -> pluggy.PluginManager:
    """Build the app's plugin manager: built-ins, entry points, then plugin directories.

    Raises ``PluginError`` naming the plugin when one fails to import, implements a hook
    that does not exist, or takes an argument its hook does not offer.
    """
    pm = pluggy.PluginManager("lms")
    pm.add_hookspecs(hookspecs)
    allow = _names(app.config.get("PLUGINS"))
    disabled = _names(app.config.get("DISABLED_PLUGINS")) or set()
    infos: dict[str, PluginInfo] = {}

    def wanted(name: str, source: str) -> bool:
        if name in disabled:
            return False
        return source == "built-in" or allow is None or name in allow

    def register(name: str, module: ModuleType, source: str, version: str) -> None:
        if name in infos:
            raise PluginError(f"plugin {name!r} from {source} clashes with the one from "
                              f"{infos[name].source}; disable one of them")
        try:
            pm.register(module, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r} ({source}): {exc}") from exc
        infos[name] = PluginInfo(name, source, version, module)

    for dotted in DEFAULT_PLUGINS:
        name = dotted.rsplit(".", 1)[1]
        if wanted(name, "built-in"):
            register(name, importlib.import_module(dotted), "built-in", "core")

    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist
        source = f"entry point {dist.name}" if dist else "entry point"
        if not wanted(ep.name, source):
            continue
        try:
            module = ep.load()
        except Exception as exc:  # a broken install must say which plugin
            raise PluginError(f"plugin {ep.name!r} ({source}) failed to import: {exc!r}") from exc
        # A plugin's own __version__ wins: the bundled ones share one distribution.
        version = getattr(module, "__version__", None) or (dist.version if dist else "?")
        register(ep.name, module, source, str(version))

    for directory in _dirs(app.config.get("PLUGINS_DIRS")):
        source = f"directory {directory}"
        for name, path in _plugin_paths(directory):
            if wanted(name, source):
                module = import_plugin(name, path, directory)
                register(name, module, source, str(getattr(module, "__version__", "?")))

    check_pending(pm)
    for info in infos.values():
        info.hooks = sorted(caller.name for caller in pm.get_hookcallers(info.module) or [])
    pm.lms_plugins = infos  # type: ignore[attr-defined]
    _serve_plugin_files(app, infos)
    app.add_template_global(dashboard_widgets)
    return pm


def check_pending(pm: pluggy.PluginManager) -> None:
    """Fail when a plugin implements a hook the catalogue does not have (a misspelling)."""
    known = [name for name in dir(pm.hook) if not name.startswith("_")
             and getattr(pm.hook, name).has_spec()]
    for name in sorted(dir(pm.hook)):
        caller = getattr(pm.hook, name)
        if name.startswith("_") or caller.has_spec():
            continue
        for impl in caller.get_hookimpls():
            if getattr(impl, "optionalhook", False):
                continue
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise PluginError(f"plugin {impl.plugin_name!r} implements unknown hook "
                              f"{name!r}{hint}")


def _dirs(value) -> list[Path]:
    if not value:
        return []
    if isinstance(value, str):
        value = [v for v in value.split(":") if v]
    return [Path(v) for v in value]


def _plugin_paths(directory: Path):
    """``(name, file)`` of every plugin module or package in a directory."""
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.name.startswith(("_", ".")) or path.name == "conftest.py":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            yield path.name, path / "__init__.py"
        elif path.suffix == ".py" and not path.name.startswith("test_"):
            yield path.stem, path


def import_plugin(name: str, init: Path, directory: Path | None = None) -> ModuleType:
    """Import a plugin file (a module, or a package's ``__init__.py``) as
    ``lms_plugin_<name>``, once per process: its models and tables must be defined once.
    Tests of a directory plugin use this to import it before an app exists."""
    directory = directory or init.parent
    modname = f"lms_plugin_{name}"
    module = sys.modules.get(modname)
    if module is not None and Path(getattr(module, "__file__", "")).resolve() == init.resolve():
        return module
    is_package = init.name == "__init__.py"
    spec = importlib.util.spec_from_file_location(
        modname, init, submodule_search_locations=[str(init.parent)] if is_package else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        for loaded in [m for m in sys.modules if m == modname or m.startswith(modname + ".")]:
            del sys.modules[loaded]
        raise PluginError(f"plugin {name!r} in {directory} failed to import: {exc!r}") from exc
    return module


def _serve_plugin_files(app: Flask, infos: dict[str, PluginInfo]) -> None:
    """Plugin packages' ``templates/`` join the Jinja search path (after the core's, so a
    plugin cannot replace core templates); their ``static/`` is served under /plugins/."""
    folders = [info.folder / "templates" for info in infos.values()
               if info.folder is not None and (info.folder / "templates").is_dir()]
    if folders:
        app.jinja_loader = ChoiceLoader(  # type: ignore[assignment]
            [loader for loader in [app.jinja_loader] if loader is not None]
            + [FileSystemLoader(str(folder)) for folder in folders])
    statics = {name: info.folder / "static" for name, info in infos.items()
               if info.folder is not None and (info.folder / "static").is_dir()}

    def plugin_static(plugin: str, filename: str):
        folder = statics.get(plugin)
        if folder is None:
            abort(404)
        return send_from_directory(folder, filename)

    app.add_url_rule("/plugins/<plugin>/static/<path:filename>", "plugin_static", plugin_static)


def get_pm(app: Flask | None = None) -> pluggy.PluginManager:
    """The plugin manager of the given (or current) app."""
    return (app or current_app).extensions["lms.pm"]


def hook(app: Flask | None = None):
    """Shortcut for ``get_pm().hook``."""
    return get_pm(app).hook


def plugin_infos(app: Flask | None = None) -> list[PluginInfo]:
    """The loaded plugins, in load order."""
    return list(get_pm(app).lms_plugins.values())  # type: ignore[attr-defined]


def collect(results: Any) -> list[Any]:
    """Flatten the results of a list hook (each plugin may return one item, a list or None)."""
    found: list[Any] = []
    for result in results or []:
        if result is None:
            continue
        found.extend(result if isinstance(result, (list, tuple)) else [result])
    return found


def dashboard_widgets(scope: str) -> list[Any]:
    """Template helper: ``{% for w in dashboard_widgets("home") %}{{ w }}{% endfor %}``."""
    from flask_login import current_user

    return collect(get_pm().hook.lms_dashboard_widgets(user=current_user, scope=scope))


def notify_progress(pm: pluggy.PluginManager, event: Any) -> None:
    """Run the ``lms_progress_recorded`` listeners; see ``lms.tracking.notify_progress``."""
    from lms.tracking import notify_progress as notify

    notify(pm, event)
