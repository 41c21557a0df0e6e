"""content sources: every framework, course and track remembers the course folder it came from

Revision ID: 0060
Revises: 0071
Create Date: 2026-11-30 18:00:00.000000

Rows imported before sources existed all came from one folder (each import treated its folder
as the whole catalogue), so they get one source, the name the next import of that folder gets
by default so that it goes on as before: the name of the folder in COURSES_DIR when that is
set; else ``shipped-courses`` when every course is one of the courses shipped with Leerpad
(a demo: ``lms serve --demo`` imports them from there); else ``courses``. Columns are added
in place (no table copy on SQLite), so the search triggers of 0050 stay.
"""
from pathlib import Path

from alembic import op
import sqlalchemy as sa
import lms.models.base


revision = '0060'
down_revision = '0071'
branch_labels = None
depends_on = None

TABLES = ("competence_framework", "course", "track")


def _legacy_source(bind) -> str:
    from lms.content import SHIPPED_COURSES
    from lms.content.sources import LEGACY_SOURCE, source_name

    try:
        from flask import current_app

        folder = current_app.config.get("COURSES_DIR")
    except RuntimeError:  # run outside the app (plain alembic)
        folder = None
    if folder:
        return source_name(Path(folder).resolve().name)
    paths = [row[0] for row in bind.execute(sa.text("SELECT source_path FROM course"))]
    if paths and all(p and (SHIPPED_COURSES / p).is_file() for p in paths):
        return source_name(SHIPPED_COURSES.name)
    return LEGACY_SOURCE


def upgrade():
    op.create_table('content_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=1000), nullable=False, server_default=''),
    sa.Column('imported_at', lms.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_source')),
    sa.UniqueConstraint('name', name=op.f('uq_content_source_name'))
    )
    bind = op.get_bind()
    legacy = _legacy_source(bind)
    held = 0
    for table in TABLES:
        op.add_column(table, sa.Column('source', sa.String(length=64), nullable=False,
                                       server_default=''))
        op.create_index(op.f(f'ix_{table}_source'), table, ['source'], unique=False)
        # table names from this migration's TABLES constant
        result = bind.execute(sa.text(f"UPDATE {table} SET source = :legacy"),  # nosec B608
                              {"legacy": legacy})
        held += result.rowcount or 0
    if held:
        bind.execute(sa.text("INSERT INTO content_source (name, location) VALUES (:name, '')"),
                     {"name": legacy})


def downgrade():
    for table in reversed(TABLES):
        op.drop_index(op.f(f'ix_{table}_source'), table_name=table)
        op.drop_column(table, 'source')
    op.drop_table('content_source')
