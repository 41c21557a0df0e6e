"""People, their roles per organisation, and mentor ↔ learner pairs."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint,
                        false)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.organisations import Organisation
from lms.vocabulary import ROLES  # noqa: F401  (re-exported: lms.models.ROLES)

LOCALES = ("nl", "en")
NLQF_LEVELS = (4, 5, 6, 7, 8)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("locale IN ('nl', 'en')", name="locale"),
        CheckConstraint("nlqf_level IS NULL OR nlqf_level BETWEEN 1 AND 8", name="nlqf_level"),
        CheckConstraint("nlqf_target IS NULL OR nlqf_target BETWEEN 1 AND 8", name="nlqf_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    locale: Mapped[str] = mapped_column(String(2), default="nl")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    nlqf_level: Mapped[int | None] = mapped_column(Integer)
    nlqf_target: Mapped[int | None] = mapped_column(Integer)
    # Bumped when the password changes: invitation links and older session cookies stop working.
    auth_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One e-mail a week with every notification (lms.notify), instead of one per notification.
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleAssignment.user_id"
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    # Flask-Login: the session id carries auth_version so a password change logs others out
    # (each session is also a LoginSession row, see lms.accounts.sessions).
    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def set_password(self, password: str) -> None:
        """Hash (scrypt unless PASSWORD_HASH_METHOD says otherwise) and end every session."""
        method = (current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
                  if has_app_context() else "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.auth_version = (self.auth_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.roles)

    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def orgs_with_role(self, role: str) -> list[Organisation]:
        return [r.organisation for r in self.roles if r.role == role]

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", "role"),
        CheckConstraint(
            "role IN ('learner', 'mentor', 'schoolopleider', 'leidinggevende', 'coordinator', "
            "'author', 'admin')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class MentorAssignment(db.Model):
    """A mentor (werkplekbegeleider) or schoolopleider who guides a learner."""

    __tablename__ = "mentor_assignment"
    __table_args__ = (UniqueConstraint("mentor_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])


class LoginSession(db.Model):
    """One logged-in browser. The session cookie holds a secret whose SHA-256 is ``token_hash``;
    a request is logged in only while this row exists, so deleting it ends that session (logout)
    and deleting a person's rows ends all of them (deactivation, "log out everywhere")."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()
