"""When is a lesson complete? Asked after every event through ``lms_lesson_is_complete``.

The core rule (registered ``trylast`` by ``lms.default_plugins.completion``) completes a
lesson once a ``completed``, ``passed`` or ``approved`` event has been recorded. Plugins
decide for their own lesson types first (the assignment plugin waits for ``approved``).
"""
from __future__ import annotations

from typing import Any

COMPLETING_VERBS = frozenset({"completed", "passed", "approved"})
# Verbs that end one try at an activity; each counts as an attempt.
ATTEMPT_VERBS = frozenset({"passed", "failed", "submitted"})


def default_is_complete(state: Any) -> bool:
    """The core rule: some completing verb has been recorded for the lesson."""
    return bool(COMPLETING_VERBS.intersection(state.verbs or []))


def lesson_is_complete(pm: Any, user: Any, lesson: Any, state: Any) -> bool:
    """Ask the plugins (firstresult); no answer at all means not complete."""
    return bool(pm.hook.lms_lesson_is_complete(user=user, lesson=lesson, state=state))
