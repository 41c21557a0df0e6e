"""Tracking, the write side: recording learning events, deriving state, tracks.

What the pages read (course, lesson, home, track, catalogue, the learning path) lives in
``lms.readmodels``.

``record_progress`` is the only writer of progress (see docs/tracking.md).
"""
from lms.tracking import once  # noqa: F401  (its table joins the metadata)
from lms.tracking.record import notify_progress, record_progress

__all__ = ["notify_progress", "record_progress"]
