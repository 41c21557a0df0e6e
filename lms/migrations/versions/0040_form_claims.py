"""form claims: a form that creates something (hours, a goal, an API token) is handled once

Revision ID: 0040
Revises: 0021
Create Date: 2026-11-30 15:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = '0040'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_form_claim_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_claim')),
    sa.UniqueConstraint('user_id', 'digest', name=op.f('uq_form_claim_user_id_digest'))
    )
    with op.batch_alter_table('form_claim', schema=None) as batch_op:
        batch_op.create_index('ix_form_claim_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('form_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_form_claim_created_at')

    op.drop_table('form_claim')
