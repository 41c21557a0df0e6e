"""Course files → validated objects → database: the content pipeline.

``check_directory(root)`` lists every problem in a course tree; ``importer.import_directory``
writes a valid tree in one transaction. Both need an app context (for the plugins' lesson
types and hooks).
"""
from importlib import resources
from pathlib import Path

from lms.content.problems import ContentError, Problem
from lms.content.validate import check_directory

__all__ = ["ContentError", "NoCoursesDir", "Problem", "SHIPPED_COURSES", "check_directory", "courses_dir"]

# The Dutch courses, tracks and frameworks that come with Leerpad (package data).
SHIPPED_COURSES = Path(str(resources.files("lms") / "shipped_courses"))


class NoCoursesDir(LookupError):
    """No folder was named and ``COURSES_DIR`` is not set."""


def courses_dir(directory: Path | None, config) -> Path:
    """The folder a command works on: the one named, else the configured ``COURSES_DIR``."""
    if directory is not None:
        return directory
    if config.get("COURSES_DIR"):
        return Path(config["COURSES_DIR"])
    raise NoCoursesDir("name a folder (e.g. `lms courses check my-courses/`) or set "
                       "LMS_COURSES_DIR to the folder that holds your courses; "
                       "`lms courses export-shipped DIR` copies the shipped courses "
                       "out as a starting point")
