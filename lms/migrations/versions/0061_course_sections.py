"""course sections: a course's sub-folders are sections, kept with the course; lessons name theirs

Revision ID: 0061
Revises: 0060
Create Date: 2026-11-30 19:00:00.000000

Columns are added in place (no table copy on SQLite), so the search triggers of 0050 stay.
Existing courses have no sections; their lessons are in none ("").
"""
from alembic import op
import sqlalchemy as sa


revision = '0061'
down_revision = '0060'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('course', sa.Column('sections', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))
    op.add_column('lesson', sa.Column('section', sa.String(length=500), nullable=False,
                                      server_default=''))


def downgrade():
    op.drop_column('lesson', 'section')
    op.drop_column('course', 'sections')
