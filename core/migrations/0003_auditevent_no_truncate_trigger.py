"""On PostgreSQL the database also refuses TRUNCATE of the audit table (row triggers do not fire on TRUNCATE).

The one way through: a session that has set `portal.allow_audit_truncate` to 'on'. Only the test settings do that
(tests/conftest.py, on each new connection), because pytest-django's transactional tests empty every table with
TRUNCATE between tests. Production code never sets it.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('portal.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'Audit events are append-only (TRUNCATE refused)', ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditevent_append_only_trigger")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
