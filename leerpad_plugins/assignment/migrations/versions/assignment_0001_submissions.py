"""assignment: submissions and sign-off

Revision ID: assignment_0001
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = "assignment_0001"
down_revision = None
branch_labels = ("assignment",)
depends_on = "0002"


def upgrade():
    op.create_table(
        "assignment_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", lms.models.base.UTCDateTime(), nullable=False),
        sa.Column("reviewed_at", lms.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["lesson_id"], ["lesson.id"], name=op.f("fk_assignment_submission_lesson_id_lesson"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["user_account.id"], name=op.f("fk_assignment_submission_reviewer_id_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_assignment_submission_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_submission")),
    )
    with op.batch_alter_table("assignment_submission", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_submission_user_lesson", ["user_id", "lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_submission_lesson_id"), ["lesson_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_submission_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("assignment_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_submission_status"))
        batch_op.drop_index(batch_op.f("ix_assignment_submission_lesson_id"))
        batch_op.drop_index("ix_assignment_submission_user_lesson")
    op.drop_table("assignment_submission")
