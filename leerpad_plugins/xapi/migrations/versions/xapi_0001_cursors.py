"""xapi: delivery cursors per LRS and erased people

Revision ID: xapi_0001
Revises:
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

import lms.models.base

revision = "xapi_0001"
down_revision = None
branch_labels = ("xapi",)
depends_on = "0021"


def upgrade():
    op.create_table(
        "xapi_cursor",
        sa.Column("lrs", sa.String(length=100), nullable=False),
        sa.Column("event_cursor", sa.Integer(), nullable=False),
        sa.Column("record_cursor", sa.Integer(), nullable=False),
        sa.Column("holes", sa.JSON(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", lms.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("lrs", name=op.f("pk_xapi_cursor")),
    )
    op.create_table(
        "xapi_erasure",
        sa.Column("lrs", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("voided_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.Column("voided", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("lrs", "person_id", name=op.f("pk_xapi_erasure")),
    )


def downgrade():
    op.drop_table("xapi_erasure")
    op.drop_table("xapi_cursor")
