"""A directory plugin with a typo in a hook name."""
from lms import hookimpl


@hookimpl
def lms_nav_item(user):
    return []
