"""nominations: the nominations_nomination table

Revision ID: nominations_0001
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "nominations_0001"
down_revision = None  # the first revision of the plugin's own branch
branch_labels = ("nominations",)
depends_on = "0001"  # the core revision that creates user_account


def upgrade():
    op.create_table(
        "nominations_nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=True),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["user_account.id"],
                                name=op.f("fk_nominations_nomination_learner_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["nominated_by_id"], ["user_account.id"],
                                name=op.f("fk_nominations_nomination_nominated_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominations_nomination")),
    )
    # Batch mode: SQLite cannot ALTER most things in place; on PostgreSQL it is plain ALTER.
    with op.batch_alter_table("nominations_nomination") as batch_op:
        batch_op.create_index(batch_op.f("ix_nominations_nomination_learner_id"),
                              ["learner_id"])
        batch_op.create_index(batch_op.f("ix_nominations_nomination_nominated_by_id"),
                              ["nominated_by_id"])


def downgrade():
    with op.batch_alter_table("nominations_nomination") as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominations_nomination_nominated_by_id"))
        batch_op.drop_index(batch_op.f("ix_nominations_nomination_learner_id"))
    op.drop_table("nominations_nomination")
