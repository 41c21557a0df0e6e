"""A directory plugin whose progress listener always fails."""
from lms import hookimpl


@hookimpl
def lms_progress_recorded(event):
    raise RuntimeError("listener exploded")
