"""Choosing and changing passwords."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from lms.accounts import AccountError
from lms.accounts.sessions import end_all_sessions
from lms.models import User, audit


def min_length() -> int:
    return int(current_app.config["MIN_PASSWORD_LENGTH"])


def check_new_password(password: str, confirm: str | None = None) -> None:
    """Refuse a password that is too short or does not match its confirmation."""
    if len(password or "") < min_length():
        raise AccountError(_("Choose a password of at least %(n)d characters.", n=min_length()),
                           "password")
    if confirm is not None and password != confirm:
        raise AccountError(_("The two passwords are not the same."), "confirm")


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Replace the password after checking the current one; every existing session ends."""
    if not user.check_password(current or ""):
        raise AccountError(_("Your current password is not correct."), "current")
    check_new_password(new, confirm)
    user.set_password(new)
    end_all_sessions(user)  # the caller starts a new one for the browser that changed it
    audit("account.password_change", actor=user, subject=user, object_type="user",
          object_id=user.id)
