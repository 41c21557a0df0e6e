"""leidinggevende role: a school leader (directeur, teamleider) as a role per organisation

Revision ID: 0030
Revises: 0011
Create Date: 2026-11-30 14:30:00.000000
"""
from alembic import op

revision = '0030'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD = "role IN ('learner', 'mentor', 'schoolopleider', 'coordinator', 'author', 'admin')"
NEW = ("role IN ('learner', 'mentor', 'schoolopleider', 'leidinggevende', 'coordinator', "
       "'author', 'admin')")


def _replace_check(condition: str) -> None:
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_role_assignment_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_role_assignment_role'), condition)


def upgrade():
    _replace_check(NEW)


def downgrade():
    op.execute("DELETE FROM role_assignment WHERE role = 'leidinggevende'")
    _replace_check(OLD)
