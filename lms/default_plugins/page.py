"""The core ``page`` lesson type: text to read, completed with "mark as done"."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms import hookimpl
from lms.activities import ActivityType


@hookimpl
def lms_activity_types():
    return [ActivityType(name="page", label=_l("Page"), manual_completion=True)]
