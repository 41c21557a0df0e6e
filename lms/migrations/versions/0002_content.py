"""content: courses, lessons, tracks, frameworks, assets

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:43:10.280537
"""
from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset')),
    sa.UniqueConstraint('sha256', name=op.f('uq_asset_sha256'))
    )
    op.create_table('competence_framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source_path', sa.String(length=500), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competence_framework')),
    sa.UniqueConstraint('slug', name=op.f('uq_competence_framework_slug'))
    )
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('nlqf', sa.Integer(), nullable=True),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.Column('prerequisites', sa.JSON(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('intro_html', sa.Text(), nullable=False),
    sa.Column('source_path', sa.String(length=500), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('updated_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('slug', name=op.f('uq_course_slug'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_archived'), ['archived'], unique=False)

    op.create_table('track',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('nlqf', sa.Integer(), nullable=True),
    sa.Column('intro_html', sa.Text(), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('hours_target', sa.Float(), nullable=True),
    sa.Column('credential_name', sa.String(length=200), nullable=True),
    sa.Column('credential_validity_years', sa.Integer(), nullable=True),
    sa.Column('source_path', sa.String(length=500), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_track')),
    sa.UniqueConstraint('slug', name=op.f('uq_track_slug'))
    )
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_archived'), ['archived'], unique=False)

    op.create_table('competence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['competence_framework.id'], name=op.f('fk_competence_framework_id_competence_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competence')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_competence_framework_id_code'))
    )
    with op.batch_alter_table('competence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competence_framework_id'), ['framework_id'], unique=False)

    op.create_table('lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('competences', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('source_path', sa.String(length=500), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('updated_at', lms.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_lesson_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson')),
    sa.UniqueConstraint('course_id', 'slug', name=op.f('uq_lesson_course_id_slug'))
    )
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_archived'), ['archived'], unique=False)
        batch_op.create_index(batch_op.f('ix_lesson_course_id'), ['course_id'], unique=False)

    op.create_table('track_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_track_course_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_track_course_track_id_track'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_track_course')),
    sa.UniqueConstraint('track_id', 'course_id', name=op.f('uq_track_course_track_id_course_id'))
    )
    with op.batch_alter_table('track_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_course_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_track_course_track_id'), ['track_id'], unique=False)



def downgrade():
    with op.batch_alter_table('track_course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_course_track_id'))
        batch_op.drop_index(batch_op.f('ix_track_course_course_id'))

    op.drop_table('track_course')
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_course_id'))
        batch_op.drop_index(batch_op.f('ix_lesson_archived'))

    op.drop_table('lesson')
    with op.batch_alter_table('competence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competence_framework_id'))

    op.drop_table('competence')
    with op.batch_alter_table('track', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_archived'))

    op.drop_table('track')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_archived'))

    op.drop_table('course')
    op.drop_table('competence_framework')
    op.drop_table('asset')
