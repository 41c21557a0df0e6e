"""The ``lms`` command line: a Flask CLI group with Leerpad's own commands.

Starting it is cheap: the core command modules import only click and Flask at the top, and
plugins' commands are listed from their distributions' entry points in the group
``lms.commands`` (``command-name = "plugin.module"``) without importing them; the app and
its plugins are built only when a command that needs them runs (the commands themselves come
from the ``lms_register_commands`` hook, as always)."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo

COMMANDS_ENTRY_POINT_GROUP = "lms.commands"


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import importlib.metadata
    import platform

    version = importlib.metadata.version
    click.echo(f"leerpad {version('leerpad')} "
               f"(Python {platform.python_version()}, Flask {version('flask')})")
    ctx.exit()


def _create_app():
    from lms import create_app

    return create_app()


class PluginCommandStub(click.Command):
    """A plugin's command as ``lms --help`` lists it before the plugins are loaded; asking
    for it by name loads the app and its plugins, and the real command answers."""

    def __init__(self, name: str, plugin_module: str):
        plugin = plugin_module.rsplit(".", 1)[-1]
        super().__init__(name, short_help=f"From the plugin {plugin}: see lms {name} --help.")


def declared_plugin_commands() -> dict[str, PluginCommandStub]:
    """Plugin commands named in installed distributions' metadata, read without importing."""
    import importlib.metadata

    return {ep.name: PluginCommandStub(ep.name, ep.module)
            for ep in importlib.metadata.entry_points(group=COMMANDS_ENTRY_POINT_GROUP)}


class LmsGroup(FlaskGroup):
    """Loads plugin commands lazily, when the app is first needed."""

    def __init__(self, **kwargs):
        super().__init__(create_app=_create_app, add_default_commands=True,
                         add_version_option=False, load_dotenv=False, set_debug_flag=False,
                         **kwargs)
        self.params.append(click.Option(["--version"], is_flag=True, expose_value=False,
                                        is_eager=True, callback=_print_version,
                                        help="Show Leerpad's version and exit."))
        self._plugin_commands_loaded = False

    def _load_lms_plugin_commands(self, ctx):
        if self._plugin_commands_loaded:
            return
        self._plugin_commands_loaded = True
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except Exception:  # no app: built-in commands still work and report the error
            return
        app.extensions["lms.pm"].hook.lms_register_commands(cli=self)

    def invoke(self, ctx):
        from lms.plugins import PluginError

        try:
            return super().invoke(ctx)
        except PluginError as exc:  # a plugin problem is one line, not a traceback
            raise click.ClickException(str(exc)) from None

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is None:
            self._load_lms_plugin_commands(ctx)
            cmd = super().get_command(ctx, name)
        return cmd

    def list_commands(self, ctx):
        # Listing builds no app (FlaskGroup's would): the core's commands, Flask's own, and
        # the plugins' declared ones; an undeclared plugin command still runs by its name.
        self._load_plugin_commands()
        return sorted(set(click.Group.list_commands(self, ctx)) | set(declared_plugin_commands()))

    def format_commands(self, ctx, formatter):
        stubs = declared_plugin_commands()
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name) or stubs.get(name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


main = LmsGroup(help="Leerpad: learning platform for teachers and teacher educators.")


def register(command: click.Command) -> click.Command:
    """Add a core command to the ``lms`` group."""
    main.add_command(command)
    return command


from lms import commands  # noqa: E402,F401  (registers the core commands)
