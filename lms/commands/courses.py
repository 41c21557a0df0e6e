"""``lms courses``: check, import, scaffold and adopt course files; list the sources."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import register

_DIR = click.Path(file_okay=False, path_type=Path)


@click.group("courses", help="Course files: check (lint), import, preview, sources, new, adopt, "
                              "export-shipped.")
def courses_group() -> None:
    pass


def _folder(directory: Path | None) -> Path:
    """The named folder, else LMS_COURSES_DIR; a usage error says what to set."""
    from lms.content import NoCoursesDir, courses_dir

    try:
        return courses_dir(directory, current_app.config)
    except NoCoursesDir as exc:
        raise click.UsageError(f"No course folder: {exc}.") from None


def _sources(directory: Path | None, source: str | None):
    """The sources to work on (``lms.content.sources.choose``); a usage error says why not."""
    from lms.content.sources import SourceError, choose

    try:
        return choose(directory, source, current_app.config)
    except SourceError as exc:
        raise click.UsageError(f"No course folder: {exc}.") from None


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem))


def _print_references(references: list[str]) -> None:
    if references:
        click.echo("References to other sources:")
        for line in references:
            click.echo(f"  {line}")


_source_option = click.option(
    "--source", "source", default=None, metavar="NAME",
    help="The source name (default: the configured source of DIR, else DIR's folder name).")
_move_option = click.option(
    "--move-from", "move_from", multiple=True, metavar="NAME",
    help="Take over ids that source NAME imported (repeatable).")
_strict_option = click.option(
    "--strict", is_flag=True, help="Unknown keys are errors, not warnings (use it in CI).")


@courses_group.command("check")
@click.argument("directory", type=_DIR, required=False)
@_source_option
@_move_option
@_strict_option
@click.pass_context
def check(ctx: click.Context, directory: Path | None, source: str | None,
          move_from: tuple[str, ...], strict: bool) -> None:
    """List every problem as path:line: field: message; exit 1 when there is an error."""
    with _check_app(ctx).app_context():
        _check(directory, source, move_from, strict)


def _check_app(ctx: click.Context):
    """The bare app of ``lms.content.check_app`` when it will do (the command line's own app,
    no database to compare with); else the whole app, as every other command."""
    from flask.cli import ScriptInfo

    from lms.cli import _create_app

    info = ctx.ensure_object(ScriptInfo)
    if info.create_app is _create_app and getattr(info, "_loaded_app", None) is None:
        from lms.content.check_app import content_app

        light = content_app()
        if light is not None:
            return light
    return info.load_app()


def _check(directory: Path | None, source: str | None, move_from: tuple[str, ...],
           strict: bool) -> None:
    from lms.content.problems import strict as make_strict
    from lms.content.validate import check_source

    failed = False
    for chosen in _sources(directory, source):
        problems, references = check_source(chosen.root, chosen.name, move_from=move_from)
        if strict:
            problems = make_strict(problems)
        _print_problems(problems)
        _print_references(references)
        errors = sum(p.is_error for p in problems)
        warnings = len(problems) - errors
        click.echo(f"{errors} error(s), {warnings} warning(s) in {chosen.root} "
                   f"(source '{chosen.name}')")
        failed = failed or bool(errors)
    if failed:
        raise SystemExit(1)


@courses_group.command("import")
@click.argument("directory", type=_DIR, required=False)
@_source_option
@_move_option
@_strict_option
@click.option("-v", "--verbose", count=True,
              help="List every course, lesson and track that changed (-vv: unchanged ones too).")
@click.option("--dry-run", is_flag=True, help="Show what the import would do; write nothing.")
@click.option("--workers", type=click.IntRange(min=0), default=0, show_default="one per core",
              help="Processes that render a large import's Markdown (1: no extra processes).")
@with_appcontext
def import_(directory: Path | None, source: str | None, move_from: tuple[str, ...],
            strict: bool, verbose: int, dry_run: bool, workers: int) -> None:
    """Validate, then import everything in one transaction (nothing is written on an error).

    Only what disappeared from the same source is archived."""
    from lms.content import ContentError
    from lms.content.importer import import_directory
    from lms.content.pool import usable_workers

    failed = False
    for chosen in _sources(directory, source):
        click.echo(f"Source '{chosen.name}' from {chosen.root}"
                   + (" (dry run: nothing is written)" if dry_run else ""))
        try:
            summary = import_directory(chosen.root, chosen.name, move_from=move_from,
                                       dry_run=dry_run, strict=strict,
                                       workers=usable_workers(workers))
        except ContentError as exc:
            _print_problems(exc.problems)
            click.echo(f"{len(exc.errors)} error(s): nothing was imported.")
            failed = True
            continue
        _print_problems(summary.warnings)
        if verbose:
            for change in summary.changes:
                if verbose > 1 or change.what != "unchanged":
                    click.echo(str(change))
            _print_references(summary.references)
        click.echo(str(summary))
        if dry_run:
            click.echo("Dry run: nothing was written." if summary.changed_anything
                       else "Dry run: nothing would change.")
        else:
            click.echo("Imported." if summary.changed_anything else "Nothing changed.")
    if failed:
        raise SystemExit(1)


@courses_group.command("preview")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                required=False)
@_source_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this computer can open the preview by default.")
@click.option("--port", default=5050, show_default=True, type=int)
@with_appcontext
def preview(directory: Path | None, source: str | None, host: str, port: int) -> None:
    """Serve DIRECTORY as learners would see it, read again on every change, with each file's
    problems on its page; the platform's database is only read (other sources' courses)."""
    from werkzeug.serving import run_simple

    from lms.content.sources import Imported
    from lms.extensions import db
    from lms.preview import create_preview_app

    chosen = _sources(directory, source)
    if len(chosen) > 1:
        raise click.UsageError("Several sources are configured: name one (`--source NAME`) or "
                               "a folder.")
    (chosen,) = chosen
    imported = Imported.load_if_possible(chosen.name)
    db.session.remove()
    app = create_preview_app(chosen.root, source=chosen.name, imported=imported,
                             config=current_app.config, instance_path=current_app.instance_path)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: listening on {host}: others on the network can open the preview.")
    click.echo(f"Preview of {chosen.root} (source '{chosen.name}') at http://{host}:{port}/ "
               "— pages follow your edits; Ctrl+C stops.")
    if imported is None:
        click.echo("No database: references are checked against this folder only.")
    run_simple(host, port, app, use_reloader=False, threaded=False)


@courses_group.command("sources")
@with_appcontext
def sources() -> None:
    """List the course sources: folder, live and archived counts, last import."""
    from lms.content.sources import SourceError, configured, source_overview

    try:
        folders = configured(current_app.config)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from None
    rows = source_overview(folders)
    if not rows:
        click.echo("No sources yet: `lms courses import DIR` imports one.")
        return
    for row in rows:
        when = row.imported_at.strftime("%Y-%m-%d %H:%M UTC") if row.imported_at else "never"
        click.echo(f"{row.name}  {row.location or '(folder unknown)'}")
        click.echo(f"  courses {row.courses} ({row.archived_courses} archived), "
                   f"lessons {row.lessons}, tracks {row.tracks} ({row.archived_tracks} archived), "
                   f"frameworks {row.frameworks}; last import that changed something: {when}"
                   + ("" if row.configured else "; not configured in COURSE_SOURCES"
                      if folders else ""))


@courses_group.command("new")
@click.argument("slug")
@click.option("--dir", "directory", type=_DIR, default=None,
              help="Folder that holds the courses (default: the configured COURSES_DIR).")
@with_appcontext
def new(slug: str, directory: Path | None) -> None:
    """Create a course folder with course.md and an example lesson."""
    from lms.content.scaffold import new_course

    directory = _folder(directory)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        created = new_course(directory, slug)
    except (ValueError, FileExistsError) as exc:
        raise click.UsageError(str(exc)) from None
    for path in created:
        click.echo(f"created {path}")


@courses_group.command("adopt")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--course", "as_course", is_flag=True,
              help="DIRECTORY is one course (its sub-folders are sections), not a tree of them.")
def adopt(directory: Path, as_course: bool) -> None:
    """Give every plain Markdown file of a course tree front matter (fresh ids, titles,
    type: page); sub-folders of a course become its sections."""
    from lms.content.scaffold import adopt as adopt_files

    done = adopt_files(directory, as_course=as_course)
    for path in done.changed:
        click.echo(f"added front matter to {path}")
    for message in done.skipped:
        click.echo(message)
    click.echo(f"{done.markdown} Markdown file(s): "
               f"{len(done.changed) - len(done.courses)} lesson(s) given front matter, "
               f"{len(done.kept)} kept as they were (they have front matter), "
               f"{len(done.skipped)} not adopted (listed above); "
               f"{len(done.courses)} course.md file(s) written.")
    click.echo(f"{len(done.changed)} file(s) changed.")


@courses_group.command("export-shipped")
@click.argument("directory", type=_DIR)
def export_shipped(directory: Path) -> None:
    """Copy the courses, tracks and frameworks shipped with Leerpad into DIRECTORY."""
    import shutil

    from lms.content import SHIPPED_COURSES

    if directory.exists() and any(directory.iterdir()):
        raise click.UsageError(f"{directory} is not empty; name a new or empty folder.")
    shutil.copytree(SHIPPED_COURSES, directory, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    count = sum(1 for _ in directory.rglob("*.md"))
    click.echo(f"Copied {count} course files to {directory}; check them with "
               f"`lms courses check {directory}`.")


register(courses_group)
