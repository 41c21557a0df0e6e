"""The plugin manager: one per app, kept in ``app.extensions["lms.pm"]``.

Plugins come from three places, in this order: the core's own ``DEFAULT_PLUGINS``
(built-in), installed distributions with an entry point in the group ``lms`` (the plugins
bundled with Leerpad among them), and every module or package in the ``PLUGINS_DIRS``
directories (``<instance>/plugins`` by default).
``PLUGINS`` (an allow-list) and ``DISABLED_PLUGINS`` choose among them by name, or by
source and name (``builtin:x``, ``entrypoint:x``, ``dir:x``) when two sources offer the same
name. A plugin package's ``templates/`` joins the template search path and its ``static/`` is
served at ``/plugins/<name>/static/<file>``. Settings declared with ``lms_settings`` get their
defaults and types here; ``missing_serve_settings`` names the ones serving still needs.
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


def plugin_filter(config) -> Any:
    """``wanted(name, source)``: whether ``PLUGINS`` and ``DISABLED_PLUGINS`` let this plugin
    load (built-ins load unless disabled)."""
    allow = _names(config.get("PLUGINS"))
    disabled = _names(config.get("DISABLED_PLUGINS")) or set()

    def wanted(name: str, source: str) -> bool:
        qualified = f"{_source_kind(source)}:{name}"
        if name in disabled or qualified in disabled:
            return False
        return source == "built-in" or allow is None or name in allow or qualified in allow

    return wanted


def create_plugin_manager(app: Flask) -> pluggy.PluginManager:
    """Build the app's plugin manager: built-ins, entry points, then plugin directories.

    Raises ``PluginError`` naming the plugin when one fails to import, implements a hook
    that does not exist, or takes an argument its hook does not offer.
    """
    pm = pluggy.PluginManager("lms")
    pm.add_hookspecs(hookspecs)
    wanted = plugin_filter(app.config)
    infos: dict[str, PluginInfo] = {}

    def register(name: str, module: ModuleType, source: str, version: str) -> None:
        if name in infos:
            first, second = _source_kind(infos[name].source), _source_kind(source)
            raise PluginError(
                f"plugin {name!r} from {source} clashes with the one from {infos[name].source}; "
                f"disable one source with LMS_DISABLED_PLUGINS={first}:{name} or "
                f"LMS_DISABLED_PLUGINS={second}:{name}")
        _check_arguments(pm, name, module)
        try:
            pm.register(module, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r} ({source}): "
                              + " ".join(str(exc).split())) from exc
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
    pm.lms_settings = _apply_settings(app, pm)  # type: ignore[attr-defined]
    _serve_plugin_files(app, infos)
    app.add_template_global(dashboard_widgets)
    app.add_template_global(learner_sections)
    return pm


def _source_kind(source: str) -> str:
    """The prefix that names a source in PLUGINS/DISABLED_PLUGINS: builtin, entrypoint, dir."""
    if source == "built-in":
        return "builtin"
    return "entrypoint" if source.startswith("entry point") else "dir"


def _check_arguments(pm: pluggy.PluginManager, name: str, module: ModuleType) -> None:
    """One clear line when a hook function takes an argument its hook does not offer."""
    import inspect

    for attr in dir(module):
        function = getattr(module, attr)
        if not callable(function) or getattr(function, "lms_impl", None) is None:
            continue
        caller = getattr(pm.hook, attr, None)
        if caller is None or not caller.has_spec():
            continue  # unknown hooks are reported by check_pending, with a did-you-mean
        offered = list(caller.spec.argnames)
        taken = [p.name for p in inspect.signature(function).parameters.values()
                 if p.default is inspect.Parameter.empty
                 and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        unknown = [arg for arg in taken if arg not in offered]
        if unknown:
            raise PluginError(f"plugin {name!r}: {attr}() takes {', '.join(map(repr, unknown))}, "
                              f"which the hook does not offer (allowed: {', '.join(offered)})")


def _apply_settings(app: Flask, pm: pluggy.PluginManager) -> list[tuple[str, Any]]:
    """Collect ``lms_settings``: fill defaults, convert configured strings to the declared
    type. Returns ``(plugin name, Setting)`` pairs in load order."""
    declared: list[tuple[str, Any]] = []
    for impl in reversed(pm.hook.lms_settings.get_hookimpls()):
        for setting in collect([impl.function()]):
            declared.append((impl.plugin_name, setting))
            raw = app.config.get(setting.name)
            if raw is None or raw == "":
                app.config[setting.name] = setting.default
            elif isinstance(raw, str) and setting.type is not str:
                app.config[setting.name] = _convert(impl.plugin_name, setting, raw)
    return declared


def _convert(plugin: str, setting: Any, raw: str) -> Any:
    try:
        if setting.type is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if setting.type is list:
            return [part.strip() for part in raw.split(",") if part.strip()]
        return setting.type(raw)
    except ValueError:
        raise PluginError(f"plugin {plugin!r}: setting LMS_{setting.name}={raw!r} is not a "
                          f"valid {setting.type.__name__}") from None


def missing_serve_settings(app: Flask) -> list[str]:
    """One line per setting a plugin needs before the app may serve, and that is unset."""
    return [f"plugin {plugin!r} needs LMS_{setting.name} to serve ({setting.description}); "
            f"set it in the environment or in the instance config.py"
            for plugin, setting in get_pm(app).lms_settings  # type: ignore[attr-defined]
            if setting.required_to_serve and app.config.get(setting.name) in (None, "")]


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


def dashboard_widgets(scope: str, organisation: Any = None) -> list[Any]:
    """Template helper: ``{% for w in dashboard_widgets("coordinator", org) %}{{ w }}{% endfor %}``."""
    from flask_login import current_user

    return collect(get_pm().hook.lms_dashboard_widgets(user=current_user, scope=scope,
                                                       organisation=organisation))


def sign_off_items(reviewer: Any, learner_ids: list[int] | None = None) -> list[Any]:
    """Everything waiting for ``reviewer``'s decision (None: anyone's), oldest first."""
    items = collect(get_pm().hook.lms_sign_off_items(reviewer=reviewer, learner_ids=learner_ids))
    return sorted(items, key=lambda item: item.submitted_at)


def sign_off_count(reviewer: Any) -> int:
    """How many items wait for ``reviewer``'s decision: every plugin's ``lms_sign_off_count``
    added up in one query, or the whole list counted when a plugin that gives items has no
    count (see the hook)."""
    pm = get_pm()
    givers = {impl.plugin_name for impl in pm.hook.lms_sign_off_items.get_hookimpls()}
    counters = {impl.plugin_name for impl in pm.hook.lms_sign_off_count.get_hookimpls()}
    if givers - counters:
        return len(sign_off_items(reviewer))
    counts = collect(pm.hook.lms_sign_off_count(reviewer=reviewer))
    if not counts:
        return 0
    from sqlalchemy import func, literal, select

    from lms.extensions import db

    total = literal(0)
    for count in counts:
        total = total + func.coalesce(count, 0)
    return int(db.session.scalar(select(total)) or 0)


def learner_columns(viewer: Any, learner_ids: list[int], scope: str) -> list[Any]:
    """Extra columns plugins add to a supervisor's table of learners."""
    if not learner_ids:
        return []
    return collect(get_pm().hook.lms_learner_columns(viewer=viewer, learner_ids=learner_ids,
                                                     scope=scope))


def learner_sections(viewer: Any, learner: Any, scope: str) -> list[Any]:
    """Sections plugins add to a supervisor's page about one learner."""
    return collect(get_pm().hook.lms_learner_sections(viewer=viewer, learner=learner,
                                                      scope=scope))
