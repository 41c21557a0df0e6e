"""report exports: large coordinator downloads prepared by the worker, kept for their owner

Revision ID: 0080
Revises: 0061
Create Date: 2026-11-30 17:15:00.000000
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = '0080'
down_revision = '0061'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.Column('expires_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_report_export_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_report_export_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_export'))
    )
    with op.batch_alter_table('report_export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_export_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_export_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_export_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_export_expires_at'))
    op.drop_table('report_export')
