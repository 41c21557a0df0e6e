"""assignment: the criteria a reviewer ticked, stored with the decision

Revision ID: assignment_0003
Revises: assignment_0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = "assignment_0003"
down_revision = "assignment_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignment_submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("criteria", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("assignment_submission", schema=None) as batch_op:
        batch_op.drop_column("criteria")
