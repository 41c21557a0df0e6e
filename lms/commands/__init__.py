"""Core CLI commands, one module per group."""
from lms.commands import db  # noqa: F401
