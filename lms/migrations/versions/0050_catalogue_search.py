"""catalogue search: full text over courses, lessons and tracks

Revision ID: 0050
Revises: 0040
Create Date: 2026-11-30 17:00:00.000000

lms.search needs no table of the models: on SQLite an FTS5 table ``search_text``
kept by triggers on course, lesson and track; on PostgreSQL GIN indexes over the same
``to_tsvector('simple', ...)`` expressions lms.search queries. A later migration that
rebuilds course, lesson or track on SQLite (batch mode copies the table) drops the triggers
with the old table: it must create them again (``_search_up`` here shows how).
"""
from alembic import op
import sqlalchemy as sa


revision = '0050'
down_revision = '0040'
branch_labels = None
depends_on = None

# rowid = id * 4 + kind, so a trigger finds its row without a scan.
_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE search_text USING fts5(title, body, kind UNINDEXED, ref UNINDEXED, "
    "course UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO search_text(rowid, title, body, kind, ref, course) "
    "SELECT id * 4 + 1, title, summary, 'course', id, id FROM course",
    "INSERT INTO search_text(rowid, title, body, kind, ref, course) "
    "SELECT id * 4 + 2, title, html, 'lesson', id, course_id FROM lesson",
    "INSERT INTO search_text(rowid, title, body, kind, ref, course) "
    "SELECT id * 4 + 3, title, summary, 'track', id, NULL FROM track",
]
_SQLITE_TRIGGERS = {
    "course": ("new.id * 4 + 1", "old.id * 4 + 1", "new.title, new.summary, 'course', new.id, new.id",
               "title, summary"),
    "lesson": ("new.id * 4 + 2", "old.id * 4 + 2",
               "new.title, new.html, 'lesson', new.id, new.course_id", "title, html, course_id"),
    "track": ("new.id * 4 + 3", "old.id * 4 + 3", "new.title, new.summary, 'track', new.id, NULL",
              "title, summary"),
}
_PG_INDEXES = {
    "course": "coalesce(title, '') || ' ' || coalesce(summary, '')",
    "lesson": "coalesce(title, '') || ' ' || coalesce(html, '')",
    "track": "coalesce(title, '') || ' ' || coalesce(summary, '')",
}


def _search_up():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_SEARCH:
            op.execute(statement)
        # the triggers are built from this migration's constants only
        for table, (new_row, old_row, values, columns) in _SQLITE_TRIGGERS.items():
            insert = (f"INSERT INTO search_text(rowid, title, body, kind, ref, course) "  # nosec B608
                      f"VALUES ({new_row}, {values});")
            delete = f"DELETE FROM search_text WHERE rowid = {old_row};"  # nosec B608
            op.execute(f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} "
                       f"BEGIN {insert} END")
            op.execute(f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {columns} ON {table} "
                       f"BEGIN {delete} {insert} END")
            op.execute(f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} "
                       f"BEGIN {delete} END")
    elif dialect == "postgresql":
        for table, text in _PG_INDEXES.items():
            op.execute(f"CREATE INDEX ix_search_{table} ON {table} "
                       f"USING gin (to_tsvector('simple', {text}))")


def _search_down():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in _SQLITE_TRIGGERS:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
        op.execute("DROP TABLE IF EXISTS search_text")
    elif dialect == "postgresql":
        for table in _PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS ix_search_{table}")


def upgrade():
    _search_up()


def downgrade():
    _search_down()
