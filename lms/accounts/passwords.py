"""Checking, choosing and changing passwords."""
from __future__ import annotations

import re
import secrets
import threading

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from lms.accounts import AccountError
from lms.accounts.sessions import end_all_sessions
from lms.extensions import db
from lms.models import User, audit

# zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable" (about 10^10 guesses).
MIN_STRENGTH = 3
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; the rest only makes a password stronger
# Words a Leerpad user is likely to build a password from, next to zxcvbn's English lists.
SITE_WORDS = ("leerpad", "wachtwoord", "welkom", "geheim", "school", "leraar", "lerares",
              "docent", "onderwijs", "juf", "meester", "groep", "klas", "regio", "bestuur")
_ZXCVBN_LOCK = threading.Lock()

# One throw-away hash per hash method, made on first use in each process.
_DUMMY_HASHES: dict[str, str] = {}
_DUMMY_LOCK = threading.Lock()


def hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


def dummy_hash(method: str | None = None) -> str:
    """A hash of a random password made with the configured method, to check against when
    there is no real hash to check. Made when the app starts (see lms.web.security), so the
    first unknown address costs no more than the next."""
    method = method or hash_method()
    with _DUMMY_LOCK:
        if method not in _DUMMY_HASHES:
            _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(24),
                                                           method=method)
        return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> User | None:
    """The active person with this e-mail address (any case) and password, else None.

    Every attempt costs one password-hash check: an unknown address and an account without a
    password are checked against a dummy hash of the configured method, and a deactivated
    account against its own hash. So the response time does not tell whether an account
    exists (the attempt is refused all the same)."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email)) \
        if email else None
    stored = user.password_hash if user is not None and user.password_hash else None
    correct = check_password_hash(stored or dummy_hash(), password or "")
    if stored is None or not correct or not user.active:
        return None
    return user


def min_length() -> int:
    return int(current_app.config["MIN_PASSWORD_LENGTH"])


def too_easy_to_guess(password: str, user: User | None = None) -> bool:
    """Is ``password`` a common password, a word or name with a few changes, a keyboard row,
    a repetition or a date? Uses zxcvbn's offline lists (30,000 leaked passwords, English
    words and names) plus Dutch words for this site and the person's own name and address;
    anything scored below MIN_STRENGTH (about 10^10 guesses) is refused."""
    words = list(SITE_WORDS)
    if user is not None:
        for value in (user.name, user.email):
            value = (value or "").lower()
            words += [value, *(w for w in re.split(r"[\W_]+", value) if len(w) > 2)]
    with _ZXCVBN_LOCK:  # zxcvbn keeps the extra words in a module-level dictionary
        score = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)["score"]
    return score < MIN_STRENGTH


def check_new_password(password: str, confirm: str | None = None,
                       user: User | None = None) -> None:
    """Refuse a password that is too short, too easy to guess (for ``user``, when given) or
    that does not match its confirmation."""
    password = password or ""
    if len(password) < min_length():
        raise AccountError(_("Choose a password of at least %(n)d characters.", n=min_length()),
                           "password")
    if too_easy_to_guess(password, user):
        raise AccountError(_("This password is too easy to guess: it is a common password, or "
                             "a word, name or pattern with a few changes. Choose a longer one, "
                             "for example a sentence of four words or more."), "password")
    if confirm is not None and password != confirm:
        raise AccountError(_("The two passwords are not the same."), "confirm")


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Replace the password after checking the current one; every existing session ends."""
    if not user.check_password(current or ""):
        raise AccountError(_("Your current password is not correct."), "current")
    check_new_password(new, confirm, user)
    user.set_password(new)
    end_all_sessions(user)  # the caller starts a new one for the browser that changed it
    audit("account.password_change", actor=user, subject=user, object_type="user",
          object_id=user.id)
