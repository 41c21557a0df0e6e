"""reflection: logbook entries

Revision ID: reflection_0001
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = "reflection_0001"
down_revision = None
branch_labels = ("reflection",)
depends_on = "0002"


def upgrade():
    op.create_table(
        "reflection_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("shared_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_reflection_entry_lesson_id_lesson"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_reflection_entry_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflection_entry")),
        sa.UniqueConstraint("user_id", "lesson_id", "prompt_id", name=op.f("uq_reflection_entry_user_id_lesson_id_prompt_id")),
    )
    with op.batch_alter_table("reflection_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reflection_entry_lesson_id"), ["lesson_id"], unique=False)


def downgrade():
    with op.batch_alter_table("reflection_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reflection_entry_lesson_id"))
    op.drop_table("reflection_entry")
