"""``lms courses``: check, import, scaffold and adopt course files."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.cli import register

_DIR = click.Path(file_okay=False, path_type=Path)


@click.group("courses", help="Course files: check (lint), import, new, adopt, export-shipped.")
def courses_group() -> None:
    pass


def _folder(directory: Path | None) -> Path:
    """The named folder, else LMS_COURSES_DIR; a usage error says what to set."""
    from lms.content import NoCoursesDir, courses_dir

    try:
        return courses_dir(directory, current_app.config)
    except NoCoursesDir as exc:
        raise click.UsageError(f"No course folder: {exc}.") from None


def _print_problems(problems) -> None:
    for problem in problems:
        click.echo(str(problem))


_strict_option = click.option(
    "--strict", is_flag=True, help="Unknown keys are errors, not warnings (use it in CI).")


@courses_group.command("check")
@click.argument("directory", type=_DIR, required=False)
@_strict_option
@with_appcontext
def check(directory: Path | None, strict: bool) -> None:
    """List every problem as path:line: field: message; exit 1 when there is an error."""
    from lms.content import check_directory
    from lms.content.problems import strict as make_strict

    directory = _folder(directory)
    problems = check_directory(directory)
    if strict:
        problems = make_strict(problems)
    _print_problems(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s) in {directory}")
    if errors:
        raise SystemExit(1)


@courses_group.command("import")
@click.argument("directory", type=_DIR, required=False)
@_strict_option
@with_appcontext
def import_(directory: Path | None, strict: bool) -> None:
    """Validate, then import everything in one transaction (nothing is written on an error)."""
    from lms.content import ContentError
    from lms.content.importer import import_directory

    directory = _folder(directory)
    try:
        summary = import_directory(directory, strict=strict)
    except ContentError as exc:
        _print_problems(exc.problems)
        click.echo(f"{len(exc.errors)} error(s): nothing was imported.")
        raise SystemExit(1) from None
    _print_problems(summary.warnings)
    click.echo(str(summary))
    click.echo("Imported." if summary.changed_anything else "Nothing changed.")


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
def adopt(directory: Path) -> None:
    """Add front matter (fresh ids, type: page) to Markdown files that lack it."""
    from lms.content.scaffold import adopt as adopt_files

    done = adopt_files(directory)
    for path in done.changed:
        click.echo(f"added front matter to {path}")
    for message in done.skipped:
        click.echo(message)
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
