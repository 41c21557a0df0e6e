"""foundation: organisations, accounts, roles, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 23:41:43.113878
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = '0001'
down_revision = None
branch_labels = ('lms',)
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=8), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('region', 'board', 'school')", name=op.f('ck_organisation_kind')),
    sa.CheckConstraint("sector IS NULL OR sector IN ('po', 'vo', 'mbo')", name=op.f('ck_organisation_sector')),
    sa.ForeignKeyConstraint(['parent_id'], ['organisation.id'], name=op.f('fk_organisation_parent_id_organisation'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_parent_id'), ['parent_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=True),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('nlqf_level', sa.Integer(), nullable=True),
    sa.Column('nlqf_target', sa.Integer(), nullable=True),
    sa.Column('auth_version', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("locale IN ('nl', 'en')", name=op.f('ck_user_account_locale')),
    sa.CheckConstraint('nlqf_level IS NULL OR nlqf_level BETWEEN 1 AND 8', name=op.f('ck_user_account_nlqf_level')),
    sa.CheckConstraint('nlqf_target IS NULL OR nlqf_target BETWEEN 1 AND 8', name=op.f('ck_user_account_nlqf_target')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', lms.models.base.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.String(length=128), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['user_account.id'], name=op.f('fk_audit_event_subject_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_subject_id'), ['subject_id'], unique=False)

    op.create_table('mentor_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['user_account.id'], name=op.f('fk_mentor_assignment_learner_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['user_account.id'], name=op.f('fk_mentor_assignment_mentor_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_assignment')),
    sa.UniqueConstraint('mentor_id', 'learner_id', name=op.f('uq_mentor_assignment_mentor_id_learner_id'))
    )
    with op.batch_alter_table('mentor_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_assignment_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_assignment_mentor_id'), ['mentor_id'], unique=False)

    op.create_table('role_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('created_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('learner', 'mentor', 'schoolopleider', 'coordinator', 'author', 'admin')", name=op.f('ck_role_assignment_role')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_role_assignment_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_role_assignment_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignment')),
    sa.UniqueConstraint('user_id', 'organisation_id', 'role', name=op.f('uq_role_assignment_user_id_organisation_id_role'))
    )
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignment_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_role_assignment_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('role_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_role_assignment_organisation_id'))

    op.drop_table('role_assignment')
    with op.batch_alter_table('mentor_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_assignment_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_assignment_learner_id'))

    op.drop_table('mentor_assignment')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_subject_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))

    op.drop_table('audit_event')
    op.drop_table('user_account')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_parent_id'))

    op.drop_table('organisation')
