"""framework audience and sectors: learning paths show the frameworks that fit a person first

Revision ID: 0051
Revises: 0050
Create Date: 2026-11-30 17:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('competence_framework', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('sectors', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))


def downgrade():
    with op.batch_alter_table('competence_framework', schema=None) as batch_op:
        batch_op.drop_column('sectors')
        batch_op.drop_column('audience')
