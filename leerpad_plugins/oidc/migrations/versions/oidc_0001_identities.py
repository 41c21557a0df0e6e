"""oidc: linked school accounts and organisations that require them

Revision ID: oidc_0001
Revises:
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = "oidc_0001"
down_revision = None
branch_labels = ("oidc",)
depends_on = "0001"  # user_account and organisation


def upgrade():
    op.create_table(
        "oidc_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_oidc_identity_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identity")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_oidc_identity_issuer_subject")),
        sa.UniqueConstraint("user_id", "issuer", name=op.f("uq_oidc_identity_user_id_issuer")),
    )
    with op.batch_alter_table("oidc_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_identity_user_id"), ["user_id"], unique=False)
    op.create_table(
        "oidc_sso_requirement",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_oidc_sso_requirement_created_by_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_oidc_sso_requirement_organisation_id_organisation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_oidc_sso_requirement")),
    )


def downgrade():
    op.drop_table("oidc_sso_requirement")
    with op.batch_alter_table("oidc_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_identity_user_id"))
    op.drop_table("oidc_identity")
