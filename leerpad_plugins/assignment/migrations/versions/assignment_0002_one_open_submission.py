"""assignment: at most one submission per learner and lesson waits for sign-off

Revision ID: assignment_0002
Revises: assignment_0001
Create Date: 2026-11-30

Submissions handed in twice at the same moment (before this index) are resolved first: the
newest one keeps waiting, the older ones are marked returned with a note saying why.
"""
from alembic import op
import sqlalchemy as sa


revision = "assignment_0002"
down_revision = "assignment_0001"
branch_labels = None
depends_on = None

NOTE = ("Twee keer tegelijk ingeleverd: de laatste inzending wacht op aftekenen. "
        "(Handed in twice at the same moment: the latest submission waits for sign-off.)")


def upgrade():
    op.execute(sa.text(
        "UPDATE assignment_submission SET status = 'returned', feedback = :note "
        "WHERE status = 'submitted' AND EXISTS (SELECT 1 FROM assignment_submission newer "
        "WHERE newer.user_id = assignment_submission.user_id "
        "AND newer.lesson_id = assignment_submission.lesson_id "
        "AND newer.status = 'submitted' AND newer.id > assignment_submission.id)"
    ).bindparams(note=NOTE))
    with op.batch_alter_table("assignment_submission", schema=None) as batch_op:
        batch_op.create_index("uq_assignment_submission_open", ["user_id", "lesson_id"],
                              unique=True, sqlite_where=sa.text("status = 'submitted'"),
                              postgresql_where=sa.text("status = 'submitted'"))


def downgrade():
    with op.batch_alter_table("assignment_submission", schema=None) as batch_op:
        batch_op.drop_index("uq_assignment_submission_open")
