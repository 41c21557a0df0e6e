"""Course files → validated objects → database: the content pipeline.

``check_directory(root)`` lists every problem in a course tree; ``importer.import_directory``
writes a valid tree in one transaction. Both need an app context (for the plugins' lesson
types and hooks).
"""
from lms.content.problems import ContentError, Problem
from lms.content.validate import check_directory

__all__ = ["ContentError", "Problem", "check_directory"]
