"""Gunicorn configured from Python (``lms serve``); imported only when serving starts."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class LeerpadServer(BaseApplication):
    """Gunicorn, configured from Python; each worker builds its own app after the fork."""

    def __init__(self, options: dict[str, object]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # newer settings are skipped on older gunicorns
                self.cfg.set(key, value)

    def load(self):
        from lms import create_app

        return create_app(serve=True)
