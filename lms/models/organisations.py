"""Organisations: a tree of region → board (bestuur) → school."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.vocabulary import SECTORS  # noqa: F401  (re-exported)

ORG_KINDS = ("region", "board", "school")
# Which kind of organisation may sit directly under which.
PARENT_KIND = {"region": None, "board": "region", "school": "board"}


class Organisation(db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint("kind IN ('region', 'board', 'school')", name="kind"),
        CheckConstraint("sector IS NULL OR sector IN ('po', 'vo', 'mbo')", name="sector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organisation]] = relationship(
        back_populates="parent", order_by="Organisation.name"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.kind} {self.name!r}>"

    @property
    def ancestors(self) -> list[Organisation]:
        """This organisation's parents, nearest first."""
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found
