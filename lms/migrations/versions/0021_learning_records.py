"""learning records: course/track completions, confirmations, exemptions, credentials, hours

The log is filled from what is already stored, with the keys the code uses, so history can
be forwarded (e.g. ``lms xapi backfill``) and nothing is recorded twice later.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 15:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'learning_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('object_type', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.String(length=200), nullable=False),
        sa.Column('object_name', sa.String(length=300), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('track_id', sa.Integer(), nullable=True),
        sa.Column('lesson_id', sa.Integer(), nullable=True),
        sa.Column('registration', sa.Integer(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('timestamp', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('course_completed', 'track_completed', 'competence_confirmed', "
            "'exemption_granted', 'credential_issued', 'hours_logged', 'reflection_shared')",
            name=op.f('ck_learning_record_kind')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], ondelete='SET NULL',
                                name=op.f('fk_learning_record_course_id_course')),
        sa.ForeignKeyConstraint(['track_id'], ['track.id'], ondelete='SET NULL',
                                name=op.f('fk_learning_record_track_id_track')),
        sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], ondelete='SET NULL',
                                name=op.f('fk_learning_record_lesson_id_lesson')),
        sa.ForeignKeyConstraint(['registration'], ['enrolment.id'], ondelete='SET NULL',
                                name=op.f('fk_learning_record_registration_enrolment')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE',
                                name=op.f('fk_learning_record_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_record')),
        sa.UniqueConstraint('key', name=op.f('uq_learning_record_key')),
    )
    with op.batch_alter_table('learning_record', schema=None) as batch_op:
        batch_op.create_index('ix_learning_record_user_timestamp', ['user_id', 'timestamp'],
                              unique=False)
    _fill_from_history()


def _fill_from_history():
    """One row per fact already stored, oldest first."""
    conn = op.get_bind()
    rows = []
    for user_id, course_id, slug, title, at in conn.execute(sa.text(
            "SELECT s.user_id, s.course_id, c.slug, c.title, s.completed_at FROM course_state s "
            "JOIN course c ON c.id = s.course_id WHERE s.completed_at IS NOT NULL")):
        rows.append(dict(kind='course_completed', key=f'course_completed:{user_id}:{course_id}',
                         user_id=user_id, object_type='course', object_id=slug,
                         object_name=title, course_id=course_id, result={'completion': True},
                         timestamp=at))
    for user_id, track_id, slug, title, at in conn.execute(sa.text(
            "SELECT s.user_id, s.track_id, t.slug, t.title, s.completed_at FROM track_state s "
            "JOIN track t ON t.id = s.track_id WHERE s.completed_at IS NOT NULL")):
        rows.append(dict(kind='track_completed', key=f'track_completed:{user_id}:{track_id}',
                         user_id=user_id, object_type='track', object_id=slug,
                         object_name=title, track_id=track_id, result={'completion': True},
                         timestamp=at))
    for cred_id, user_id, track_id, name, at, expires in conn.execute(sa.text(
            "SELECT id, user_id, track_id, name, issued_at, expires_at FROM credential")):
        rows.append(dict(kind='credential_issued', key=f'credential_issued:{cred_id}',
                         user_id=user_id, object_type='credential', object_id=str(cred_id),
                         object_name=name, track_id=track_id,
                         result={'expires': str(expires)[:10]} if expires else {},
                         timestamp=at))
    for user_id, track_id, course_id, slug, title, at in conn.execute(sa.text(
            "SELECT e.user_id, e.track_id, e.course_id, c.slug, c.title, e.granted_at "
            "FROM exemption e JOIN course c ON c.id = e.course_id")):
        rows.append(dict(kind='exemption_granted',
                         key=f'exemption_granted:{user_id}:{track_id}:{course_id}',
                         user_id=user_id, object_type='course', object_id=slug,
                         object_name=title, course_id=course_id, track_id=track_id, result={},
                         timestamp=at))
    for item_id, user_id, competence, at in conn.execute(sa.text(
            "SELECT id, learner_id, competence, decided_at FROM competence_confirmation "
            "WHERE status = 'approved' AND decided_at IS NOT NULL")):
        rows.append(dict(kind='competence_confirmed', key=f'competence_confirmed:{item_id}',
                         user_id=user_id, object_type='competence', object_id=competence,
                         object_name=competence, result={'success': True}, timestamp=at))
    for entry_id, user_id, day, hours, category, at in conn.execute(sa.text(
            "SELECT id, user_id, date, hours, category, created_at FROM hours_entry")):
        rows.append(dict(kind='hours_logged', key=f'hours_logged:{entry_id}', user_id=user_id,
                         object_type='hours', object_id=str(entry_id), object_name=category,
                         result={'hours': float(hours), 'category': category,
                                 'date': str(day)[:10]},
                         timestamp=at))
    if not rows:
        return
    rows.sort(key=lambda row: str(row['timestamp']))
    table = sa.table('learning_record', *(sa.column(name) for name in (
        'kind', 'key', 'user_id', 'object_type', 'object_id', 'object_name', 'course_id',
        'track_id', 'lesson_id', 'registration', 'timestamp')), sa.column('result', sa.JSON))
    defaults = {'course_id': None, 'track_id': None, 'lesson_id': None, 'registration': None}
    op.bulk_insert(table, [{**defaults, **row} for row in rows])


def downgrade():
    with op.batch_alter_table('learning_record', schema=None) as batch_op:
        batch_op.drop_index('ix_learning_record_user_timestamp')
    op.drop_table('learning_record')
