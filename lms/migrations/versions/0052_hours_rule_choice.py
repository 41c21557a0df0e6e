"""hours rule choices: the hours rule a schoolopleider chose for one person

Revision ID: 0052
Revises: 0051
Create Date: 2026-11-30 17:20:00.000000
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = '0052'
down_revision = '0051'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hours_rule_choice',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('chosen_by_id', sa.Integer(), nullable=True),
    sa.Column('chosen_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['chosen_by_id'], ['user_account.id'], name=op.f('fk_hours_rule_choice_chosen_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_hours_rule_choice_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_hours_rule_choice'))
    )


def downgrade():
    op.drop_table('hours_rule_choice')
