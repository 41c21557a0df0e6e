"""enrolment uuid: a stable public id per enrolment (xAPI registration)

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-30 14:00:00.000000
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
    enrolment = sa.table('enrolment', sa.column('id', sa.Integer), sa.column('uuid', sa.String))
    connection = op.get_bind()
    for (enrolment_id,) in connection.execute(sa.select(enrolment.c.id)).all():
        connection.execute(enrolment.update().where(enrolment.c.id == enrolment_id)
                           .values(uuid=str(uuid.uuid4())))
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_enrolment_uuid'), ['uuid'])


def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_enrolment_uuid'), type_='unique')
        batch_op.drop_column('uuid')
