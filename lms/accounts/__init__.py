"""Accounts and administration: people, invitations, organisations, bulk import.

Domain functions take plain values and model objects (never a Flask request), add their
changes and audit rows to the session, and leave committing to the caller, so one web
request or one CLI command is one transaction. Refusals raise ``AccountError``.
"""
from __future__ import annotations


class AccountError(ValueError):
    """A refused change, with the form field it belongs to (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
