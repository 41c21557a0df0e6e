"""The OIDC plugin's tables: linked school accounts and the organisations that require them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.accounts import User
from lms.models.base import UTCDateTime, utcnow
from lms.models.organisations import Organisation


class OidcIdentity(db.Model):
    """A person's account at an OpenID Connect provider, linked to their Leerpad account.

    The key is the provider's ``(issuer, subject)`` pair, never the e-mail address: an address
    can change hands, ``sub`` is the provider's stable identifier for this person. One account
    per provider per person."""

    __tablename__ = "oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"), UniqueConstraint("user_id", "issuer"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    # The provider's name in OIDC_PROVIDERS when it was linked (shown if it is renamed).
    provider: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SsoRequirement(db.Model):
    """An organisation whose people log in with a school account only (not with a password):
    it applies to everyone with a role there or in an organisation below it."""

    __tablename__ = "oidc_sso_requirement"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
