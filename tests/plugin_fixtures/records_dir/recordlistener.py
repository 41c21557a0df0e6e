"""A directory plugin that keeps every learning record it hears of (tests/test_hooks.py)."""
from lms import hookimpl

HEARD: list = []


@hookimpl
def lms_learning_record(record):
    HEARD.append(record)
