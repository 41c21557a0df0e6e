"""Login sessions that can be ended from the server.

The session itself is Flask's signed cookie; it names the person (with their ``auth_version``)
and carries a random secret. The secret's SHA-256 is a ``LoginSession`` row, and a request is
logged in only while that row exists. So:

- logging out deletes this browser's row: a copy of the cookie saved before no longer works,
  while the person's other devices stay logged in;
- deactivating an account, changing the password and an administrator's "log out everywhere"
  delete all of the person's rows.

Checking the row costs no extra query: the user is loaded joined with it.
"""
from __future__ import annotations

import secrets
from functools import cache

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.models import User, audit
from lms.models.accounts import LoginSession

# The newest sessions kept per person; logging in on yet another browser ends the oldest.
MAX_SESSIONS_PER_USER = 20


def start_session(user: User) -> str:
    """A new session row for ``user``; returns the secret to keep in the session cookie."""
    secret = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=LoginSession.hash_secret(secret)))
    db.session.flush()
    keep = select(LoginSession.id).where(LoginSession.user_id == user.id).order_by(
        LoginSession.id.desc()).limit(MAX_SESSIONS_PER_USER)
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.id.not_in(keep.scalar_subquery()))
        .execution_options(synchronize_session=False))
    return secret


def session_user(user_id: int, secret: str | None) -> User | None:
    """The active person whose session row matches ``secret``, with their roles (one query:
    the navigation and the access rules of every page read the roles), else None."""
    if not secret:
        return None
    return db.session.scalars(_session_user_statement(), {
        "user_id": user_id, "token_hash": LoginSession.hash_secret(secret)}).unique().first()


def login_conditions() -> tuple:
    """What a logged-in request must match, with bound ``user_id`` and ``token_hash``: an
    active person with this login's session row. ``session_user`` and the cached-page check
    (``lms.readmodels.versions.lesson_check``) both ask exactly this."""
    return (LoginSession.user_id == User.id, User.id == bindparam("user_id"),
            User.active.is_(True), LoginSession.token_hash == bindparam("token_hash"))


@cache
def _session_user_statement():
    """``session_user``'s query, built once: every logged-in request asks it."""
    return (select(User).join(LoginSession, LoginSession.user_id == User.id)
            .options(joinedload(User.roles)).where(*login_conditions()))


def end_session(secret: str | None) -> None:
    """End one session (logging out)."""
    if secret:
        db.session.execute(delete(LoginSession).where(
            LoginSession.token_hash == LoginSession.hash_secret(secret)))


def end_all_sessions(user: User) -> int:
    """End every session of ``user``; returns how many there were."""
    result = db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    return result.rowcount or 0


def log_out_everywhere(person: User, actor: User | None) -> int:
    """An administrator ends all of ``person``'s sessions (audited)."""
    ended = end_all_sessions(person)
    audit("account.logout_everywhere", actor=actor, subject=person, object_type="user",
          object_id=person.id, detail={"sessions": ended})
    return ended
