"""Creations that happen once: a form posted twice (a double click, a retry, five tabs at once)
creates one row.

Hours entries, goals and API tokens have no natural unique key: two identical hours entries on
one day can be meant. So the form carries one: a random ``once`` key, new each time the form
is shown. Saving the form first *claims* that key for the user, in the same transaction as the
row it creates; a second post of the same form finds the key taken and creates nothing. The
claim is a single ``INSERT ... ON CONFLICT`` on a unique (user, key) index, so it holds under
concurrency on SQLite (writers queue for the lock) and PostgreSQL (the second insert waits for
the first transaction and then conflicts). A form posted without a key (a script, a page
loaded before this existed) is keyed by its content instead, and a repeat counts only within
``DEBOUNCE``. Claims are kept for ``KEEP`` and then purged, user by user, as they post.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, delete
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

KEEP = timedelta(days=1)  # a form's own key: a repeat within a day is the same submission
DEBOUNCE = timedelta(seconds=10)  # no key: the same content within 10 s is a repeat
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


class FormClaim(db.Model):
    """A form submission that created something: which user, and a digest of the form's
    ``once`` key (or of its content) with the action it was for."""

    __tablename__ = "form_claim"
    __table_args__ = (UniqueConstraint("user_id", "digest"),
                      Index("ix_form_claim_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _insert():
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def claim(user_id: int, action: str, key: str | None, content: dict | None = None,
          now: datetime | None = None) -> bool:
    """Claim this submission of ``action`` for ``user_id``: True the first time (go ahead and
    create, then commit), False for a repeat (create nothing). ``key`` is the form's ``once``
    key; without a valid one, ``content`` (the submitted values) stands in for it."""
    now = now or utcnow()
    if key and KEY.fullmatch(key):
        basis, window = ["key", key], KEEP
    else:
        basis, window = ["content", content or {}], DEBOUNCE
    digest = hashlib.sha256(json.dumps([action, *basis], sort_keys=True, default=str)
                            .encode("utf-8")).hexdigest()
    db.session.execute(delete(FormClaim).where(FormClaim.user_id == user_id,
                                               FormClaim.created_at < now - KEEP))
    insert = _insert()
    stmt = insert(FormClaim).values(user_id=user_id, digest=digest, created_at=now)
    # A claim older than its window is stale: take it over instead of refusing.
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "digest"], set_={"created_at": now},
        where=FormClaim.created_at < now - window)
    return db.session.execute(stmt.returning(FormClaim.id)).scalar() is not None
