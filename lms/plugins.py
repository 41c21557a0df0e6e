"""The plugin manager: one per app, kept in ``app.extensions["lms.pm"]``."""
from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pluggy
from flask import Flask, current_app

from lms import hookspecs

log = logging.getLogger(__name__)

# The core's own behaviour, written against the same hooks as any plugin.
DEFAULT_PLUGINS = (
    "lms.default_plugins.navigation",
    "lms.default_plugins.page",
)


class PluginError(RuntimeError):
    """A plugin could not be loaded; the message names it."""


@dataclass
class PluginInfo:
    name: str
    source: str  # built-in, entry point, directory
    version: str
    module: ModuleType


def _names(value) -> set[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return {n.strip() for n in value.split(",") if n.strip()}
    return set(value)


def create_plugin_manager(app: Flask) -> pluggy.PluginManager:
    """Build the app's plugin manager: built-ins, entry points, then plugin directories."""
    pm = pluggy.PluginManager("lms")
    pm.add_hookspecs(hookspecs)
    allow = _names(app.config.get("PLUGINS"))
    disabled = _names(app.config.get("DISABLED_PLUGINS")) or set()
    infos: dict[str, PluginInfo] = {}

    def register(name: str, module: ModuleType, source: str, version: str) -> None:
        if source != "built-in" and ((allow is not None and name not in allow) or name in disabled):
            return
        if name in infos:
            raise PluginError(f"plugin {name!r} from {source} clashes with one from {infos[name].source}")
        pm.register(module, name=name)
        infos[name] = PluginInfo(name, source, version, module)

    for dotted in DEFAULT_PLUGINS:
        register(dotted.rsplit(".", 1)[1], importlib.import_module(dotted), "built-in", "core")

    for ep in importlib.metadata.entry_points(group="lms"):
        try:
            module = ep.load()
        except Exception as exc:  # a broken install must say which plugin
            raise PluginError(f"plugin {ep.name!r} (entry point) failed to import: {exc}") from exc
        dist = ep.dist.version if ep.dist else "?"
        register(ep.name, module, "entry point", dist)

    for directory in _dirs(app.config.get("PLUGINS_DIRS")):
        for name, module in _load_directory(directory):
            register(name, module, f"directory {directory}", getattr(module, "__version__", "?"))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin = pm.get_name(exc.plugin) if exc.plugin else "?"
        raise PluginError(f"plugin {plugin!r}: {exc}") from exc
    pm.lms_plugins = infos  # type: ignore[attr-defined]
    return pm


def _dirs(value) -> list[Path]:
    if not value:
        return []
    if isinstance(value, str):
        value = [v for v in value.split(":") if v]
    return [Path(v) for v in value]


def _load_directory(directory: Path):
    """Import every module or package in a plugin directory, under its own name."""
    if not directory.is_dir():
        return
    for path in sorted(directory.iterdir()):
        if path.name.startswith(("_", ".")):
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            init = path / "__init__.py"
        elif path.suffix == ".py":
            init = path
        else:
            continue
        name = path.stem
        modname = f"lms_plugin_{name}"
        module = sys.modules.get(modname)
        if module is None or Path(getattr(module, "__file__", "")) != init:
            spec = importlib.util.spec_from_file_location(
                modname, init, submodule_search_locations=[str(path)] if path.is_dir() else None
            )
            module = importlib.util.module_from_spec(spec)
            sys.modules[modname] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                del sys.modules[modname]
                raise PluginError(f"plugin {name!r} in {directory} failed to import: {exc}") from exc
        yield name, module


def get_pm(app: Flask | None = None) -> pluggy.PluginManager:
    """The plugin manager of the given (or current) app."""
    return (app or current_app).extensions["lms.pm"]


def hook(app: Flask | None = None):
    """Shortcut for ``get_pm().hook``."""
    return get_pm(app).hook
