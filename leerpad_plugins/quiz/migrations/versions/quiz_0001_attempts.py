"""quiz: attempts

Revision ID: quiz_0001
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = "quiz_0001"
down_revision = None
branch_labels = ("quiz",)
depends_on = "0002"


def upgrade():
    op.create_table(
        "quiz_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("created_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_quiz_attempt_lesson_id_lesson"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_quiz_attempt_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_attempt")),
    )
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_attempt_user_lesson", ["user_id", "lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quiz_attempt_lesson_id"), ["lesson_id"], unique=False)


def downgrade():
    with op.batch_alter_table("quiz_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_attempt_lesson_id"))
        batch_op.drop_index("ix_quiz_attempt_user_lesson")
    op.drop_table("quiz_attempt")
