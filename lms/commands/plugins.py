"""``lms plugins``: which plugins are loaded, where from, and which hooks each implements."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from lms.cli import register


def _shown(setting, value) -> str:
    if value in (None, ""):
        return "not set"
    return "set (hidden)" if setting.secret else repr(value)


def _print_settings(as_json: bool) -> None:
    from flask import current_app

    from lms.plugins import get_pm

    rows = [{"plugin": plugin, "name": f"LMS_{s.name}", "type": s.type.__name__,
             "default": s.default, "required_to_serve": s.required_to_serve,
             "value": _shown(s, current_app.config.get(s.name)), "description": s.description}
            for plugin, s in get_pm().lms_settings]
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    for row in rows:
        need = "required to serve" if row["required_to_serve"] else f"default {row['default']!r}"
        click.echo(f"{row['plugin']}: {row['name']} ({row['type']}, {need}) = {row['value']}")
        click.echo(f"    {row['description']}")
    if not rows:
        click.echo("No plugin declares settings.")


@click.command("plugins", help="List the loaded plugins: version, source and hooks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--settings", "settings", is_flag=True,
              help="List the settings plugins declare, with their current state.")
@with_appcontext
def plugins_command(as_json: bool, settings: bool) -> None:
    from lms.plugins import plugin_infos

    if settings:
        _print_settings(as_json)
        return
    infos = plugin_infos()
    if as_json:
        click.echo(json.dumps([{"name": i.name, "version": i.version, "source": i.source,
                                "hooks": i.hooks} for i in infos], indent=2))
        return
    width = max((len(i.name) for i in infos), default=4)
    for info in infos:
        click.echo(f"{info.name:<{width}}  {info.version:<8}  {info.source}")
        click.echo(f"{'':<{width}}  hooks: {', '.join(info.hooks) or '-'}")


register(plugins_command)
