"""Core CLI commands, one module per group."""
from lms.commands import db  # noqa: F401
from lms.commands import courses  # noqa: F401
from lms.commands import demo  # noqa: F401
from lms.commands import serve  # noqa: F401
from lms.commands import privacy  # noqa: F401
from lms.commands import users  # noqa: F401
from lms.commands import plugins  # noqa: F401
