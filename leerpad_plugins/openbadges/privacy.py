"""The holder's signed credentials in their data export, and what erasure does to them.

- Export: each credential with its dates, status, public-page choices and the signed
  VC-JWT; a revocation reason is the holder's data too.
- Erasure: every credential of the person is revoked (verifiers see it revoked from then
  on), made private, and emptied of personal data: the signed token (which names them) and
  the revocation reason. The row itself stays, so its position in the status list is not
  handed to someone else.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models import User
from lms.models.base import utcnow

from .issuing import status
from .models import BadgeCredential


def personal_data(user: User) -> dict[str, list[dict[str, Any]]]:
    rows = db.session.scalars(select(BadgeCredential).where(BadgeCredential.user_id == user.id)
                              .order_by(BadgeCredential.id)).all()
    return {"openbadges_credentials": [{
        "id": f"urn:uuid:{row.uuid}", "name": row.name,
        "valid_from": row.valid_from.isoformat(),
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "status": status(row), "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "revocation_reason": row.revocation_reason, "public": row.public,
        "holder_name": row.holder_name, "vc_jwt": row.token} for row in rows]} if rows else {}


def erase(user: User) -> None:
    """Revoke and empty the person's credentials, in the caller's transaction."""
    now = utcnow()
    for row in db.session.scalars(select(BadgeCredential)
                                  .where(BadgeCredential.user_id == user.id)):
        if row.revoked_at is None:
            row.revoked_at = now
        row.revoked_by_id = None
        row.revocation_reason = ""
        row.token = ""
        row.public = False
        row.holder_name = "initials"
