"""The ``lms`` command line: a Flask CLI group with Leerpad's own commands."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup, ScriptInfo


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
        self._load_lms_plugin_commands(ctx)
        return super().list_commands(ctx)


main = LmsGroup(help="Leerpad: learning platform for teachers and teacher educators.")


def register(command: click.Command) -> click.Command:
    """Add a core command to the ``lms`` group."""
    main.add_command(command)
    return command


from lms import commands  # noqa: E402,F401  (registers the core commands)
