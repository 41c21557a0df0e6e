"""The openbadges plugin's table: one row per signed Open Badges 3.0 credential.

A row is written when the core issues a track credential (``credential_issued``) and when a
credential is renewed; it keeps the signed VC-JWT exactly as issued, its place in the
revocation status list and the holder's choices for the public page. Rows are never
deleted while their status bit may still be asked for: an erased person's rows are revoked
and emptied instead (see ``privacy.py``).
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Track, User
from lms.models.base import UTCDateTime, utcnow

HOLDER_NAMES = ("full", "initials")  # how the public page names the holder


class BadgeCredential(db.Model):
    """An ``OpenBadgeCredential`` issued to a learner, signed by the platform."""

    __tablename__ = "openbadges_credential"
    __table_args__ = (
        CheckConstraint("holder_name IN ('full', 'initials')", name="holder_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unguessable public id: the credential is urn:uuid:<uuid>, its page /bewijzen/<uuid>.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid4()))
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The core's credential row this one signs (several rows once it has been renewed).
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credential.id", ondelete="SET NULL"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    renewal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("openbadges_credential.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # the achievement's name when issued
    # Position in the revocation status list (Bitstring Status List), chosen at random.
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[date | None] = mapped_column(Date)  # the last valid day
    token: Mapped[str] = mapped_column(Text, default="")  # the compact VC-JWT as signed
    # Who issued it: None when the platform did on completing the track; the schoolopleider
    # or admin who confirmed a renewal.
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str] = mapped_column(Text, default="")  # never published
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    holder_name: Mapped[str] = mapped_column(String(8), default="full")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    track: Mapped[Track | None] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    renewal_of: Mapped[BadgeCredential | None] = relationship(remote_side=[id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
