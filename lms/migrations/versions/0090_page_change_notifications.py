"""page change notifications: PostgreSQL triggers that NOTIFY leerpad_pages when anything a kept
lesson page's check reads changes (lms.changes); nothing on SQLite, whose data_version serves

Revision ID: 0090
Revises: 0080
Create Date: 2026-12-01 00:30:00.000000
"""
from alembic import op


revision = '0090'
down_revision = '0080'
branch_labels = None
depends_on = None

# Every table lms.readmodels.versions.lesson_check reads (tests/test_change_signals.py holds
# the two lists equal): the person's own rows name them; content rows name everyone.
PERSON_TABLES = {"user_account": "id", "login_session": "user_id", "role_assignment": "user_id",
                 "progress_event": "user_id", "lesson_state": "user_id",
                 "course_state": "user_id", "enrolment": "user_id", "exemption": "user_id"}
CONTENT_TABLES = ("content_source", "course", "lesson")
TRIGGER = "leerpad_page_changed"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # pg_notify folds equal notifications of one transaction into one: a bulk write of one
    # person's rows (or an import's statements) sends one.
    op.execute("""
        CREATE FUNCTION leerpad_person_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            column_name text := TG_ARGV[0];
            before text;
            after text;
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                before := to_jsonb(OLD) ->> column_name;
                PERFORM pg_notify('leerpad_pages', coalesce(before, '*'));
            END IF;
            IF TG_OP <> 'DELETE' THEN
                after := to_jsonb(NEW) ->> column_name;
                IF after IS DISTINCT FROM before THEN
                    PERFORM pg_notify('leerpad_pages', coalesce(after, '*'));
                END IF;
            END IF;
            RETURN NULL;
        END $$""")
    op.execute("""
        CREATE FUNCTION leerpad_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('leerpad_pages', '*');
            RETURN NULL;
        END $$""")
    for table, column in PERSON_TABLES.items():
        op.execute(f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION leerpad_person_changed('{column}')")
    for table in CONTENT_TABLES:
        op.execute(f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION leerpad_content_changed()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in (*PERSON_TABLES, *CONTENT_TABLES):
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS leerpad_person_changed()")
    op.execute("DROP FUNCTION IF EXISTS leerpad_content_changed()")
