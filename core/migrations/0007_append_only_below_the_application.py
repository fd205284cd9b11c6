from django.db import migrations

# S-TRACE-3: the audit trail and the version history are append-only for
# every database role. Row triggers refuse UPDATE and DELETE; TRUNCATE fires
# no row trigger, so a statement trigger refuses it too (a `manage.py flush`
# or a stray TRUNCATE would otherwise wipe the trail). A database where the
# setting `cabinet.allow_truncate` is 'on' accepts TRUNCATE: only the test
# databases set it, so the test runner can empty tables between tests.
FORWARD = """
CREATE OR REPLACE FUNCTION core_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('cabinet.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% : TRUNCATE refusé (données à conserver, S-TRACE-3 / S-DATA-1)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION core_recordversion_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_recordversion is append-only';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_truncate();

DROP TRIGGER IF EXISTS core_recordversion_no_change ON core_recordversion;
CREATE TRIGGER core_recordversion_no_change BEFORE UPDATE OR DELETE ON core_recordversion
    FOR EACH ROW EXECUTE FUNCTION core_recordversion_append_only();
DROP TRIGGER IF EXISTS core_recordversion_no_truncate ON core_recordversion;
CREATE TRIGGER core_recordversion_no_truncate BEFORE TRUNCATE ON core_recordversion
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_truncate();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_recordversion_no_change ON core_recordversion;
DROP TRIGGER IF EXISTS core_recordversion_no_truncate ON core_recordversion;
DROP FUNCTION IF EXISTS core_recordversion_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_second_factor_devices")]
    operations = [migrations.RunPython(forwards, backwards)]
