"""openbadges: signed Open Badges 3.0 credentials

Revision ID: openbadges_0001
Revises:
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = "openbadges_0001"
down_revision = None
branch_labels = ("openbadges",)
# 0003 creates the core's credential table (and 0001 user_account, 0002 track).
depends_on = "0003"


def upgrade():
    op.create_table(
        "openbadges_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.Integer(), nullable=True),
        sa.Column("track_id", sa.Integer(), nullable=True),
        sa.Column("renewal_of_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("valid_from", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("holder_name", sa.String(length=8), nullable=False),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("holder_name IN ('full', 'initials')",
                           name=op.f("ck_openbadges_credential_holder_name")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_openbadges_credential_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["credential_id"], ["credential.id"],
                                name=op.f("fk_openbadges_credential_credential_id_credential"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["track_id"], ["track.id"],
                                name=op.f("fk_openbadges_credential_track_id_track"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["renewal_of_id"], ["openbadges_credential.id"],
            name=op.f("fk_openbadges_credential_renewal_of_id_openbadges_credential"),
            ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["issued_by_id"], ["user_account.id"],
                                name=op.f("fk_openbadges_credential_issued_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user_account.id"],
                                name=op.f("fk_openbadges_credential_revoked_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_openbadges_credential")),
        sa.UniqueConstraint("uuid", name=op.f("uq_openbadges_credential_uuid")),
        sa.UniqueConstraint("status_index", name=op.f("uq_openbadges_credential_status_index")),
    )
    with op.batch_alter_table("openbadges_credential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_openbadges_credential_user_id"), ["user_id"])
        batch_op.create_index(batch_op.f("ix_openbadges_credential_credential_id"),
                              ["credential_id"])
        batch_op.create_index(batch_op.f("ix_openbadges_credential_renewal_of_id"),
                              ["renewal_of_id"])


def downgrade():
    op.drop_table("openbadges_credential")
