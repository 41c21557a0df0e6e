"""The talent plugin's tables: nominations, the ambassador list, stay conversations with
their outcomes, and the manager's private notes.

Every table about a person names them in a column of its own (``nominee_id``,
``teacher_id``...) so the plugin, not a schema walk, decides what goes into whose export:
the manager's notes sit in a table of their own that only ever belongs to the manager.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models import Organisation, User
from lms.models.base import UTCDateTime, utcnow

# What someone can be nominated for; "opleiding" is a route to a higher NLQF level.
NOMINATION_ROLES = ("werkplekbegeleider", "schoolopleider", "ambassadeur", "opleiding")
# Recruitment activities an ambassador can offer.
AMBASSADOR_ACTIVITIES = ("open-dag", "schoolbezoek", "onderwijskeuzedag", "meeloopdag",
                         "voorlichting")


class Nomination(db.Model):
    """Someone nominated as a talent by a mentor, schoolopleider or leidinggevende of their
    school. The motivation is read by the nominee and the nominator only."""

    __tablename__ = "talent_nomination"
    __table_args__ = (
        CheckConstraint("role IN ('werkplekbegeleider', 'schoolopleider', 'ambassadeur', "
                        "'opleiding')", name="role"),
        CheckConstraint("status IN ('open', 'accepted', 'declined')", name="status"),
        CheckConstraint("nlqf_target IS NULL OR nlqf_target BETWEEN 4 AND 8", name="nlqf_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Empty once the nominator's account has been erased: the nomination stays the nominee's.
    nominator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    nlqf_target: Mapped[int | None] = mapped_column(Integer)
    motivation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # by the nominee, for themselves
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    nominee: Mapped[User] = relationship(foreign_keys=[nominee_id])
    nominator: Mapped[User | None] = relationship(foreign_keys=[nominator_id])
    organisation: Mapped[Organisation] = relationship()


class Ambassador(db.Model):
    """A person who accepted a nomination and chose to be listed for recruitment activities."""

    __tablename__ = "talent_ambassador"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    activities: Mapped[list] = mapped_column(JSON, default=list)
    offer: Mapped[str] = mapped_column(String(500), default="")  # what they are willing to do
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class StayConversation(db.Model):
    """A stay conversation ("stay-gesprek") a leidinggevende holds with a teacher of their
    school. What comes out of it belongs to the teacher."""

    __tablename__ = "talent_stay_conversation"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    planned_for: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    held_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teacher: Mapped[User] = relationship(foreign_keys=[teacher_id])
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    organisation: Mapped[Organisation] = relationship()
    outcomes: Mapped[list[StayOutcome]] = relationship(
        back_populates="conversation", order_by="StayOutcome.id", cascade="all, delete-orphan")


class StayOutcome(db.Model):
    """An outcome both sides agreed on; the teacher may turn it into a POP goal of their own."""

    __tablename__ = "talent_stay_outcome"
    __table_args__ = (
        CheckConstraint("added_by IN ('teacher', 'manager')", name="added_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("talent_stay_conversation.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    added_by: Mapped[str] = mapped_column(String(8))
    # The teacher's goal made from it (the manager never sees this).
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("development_goal.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    conversation: Mapped[StayConversation] = relationship(back_populates="outcomes")


class ManagerNote(db.Model):
    """The leidinggevende's own notes on a conversation: theirs alone, never the teacher's
    export, never a report."""

    __tablename__ = "talent_manager_note"
    __table_args__ = (UniqueConstraint("conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("talent_stay_conversation.id", ondelete="CASCADE"))
    manager_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
