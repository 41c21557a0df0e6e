"""``lms plugins``: which plugins are loaded, where from, and which hooks each implements."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from lms.cli import register


@click.command("plugins", help="List the loaded plugins: version, source and hooks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_appcontext
def plugins_command(as_json: bool) -> None:
    from lms.plugins import plugin_infos

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
