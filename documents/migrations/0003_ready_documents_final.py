from django.db import migrations

# S-DATA-1: a ready (possibly sent) document is refused by the database as
# well, so a bulk `QuerySet.update()` / `.delete()` (which skip the model's
# save() and delete()) cannot change or remove it. What the model guards
# (status, file, SHA-256, frozen context and its hash, template version) plus
# what the document is about may not change; it is never deleted; TRUNCATE is
# refused.
FORWARD = """
CREATE OR REPLACE FUNCTION documents_ready_final() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'ready' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'document % prêt : suppression refusée (S-DATA-1)', OLD.id;
    END IF;
    IF (NEW.status, NEW.file, NEW.sha256, NEW.size, NEW.context_sha256, NEW.context::text,
        NEW.template_version, NEW.kind, NEW.content_type_id, NEW.object_id)
       IS DISTINCT FROM
       (OLD.status, OLD.file, OLD.sha256, OLD.size, OLD.context_sha256, OLD.context::text,
        OLD.template_version, OLD.kind, OLD.content_type_id, OLD.object_id) THEN
        RAISE EXCEPTION 'document % prêt : modification refusée (S-DATA-1)', OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS documents_generateddocument_ready_final ON documents_generateddocument;
CREATE TRIGGER documents_generateddocument_ready_final
    BEFORE UPDATE OR DELETE ON documents_generateddocument
    FOR EACH ROW EXECUTE FUNCTION documents_ready_final();
DROP TRIGGER IF EXISTS documents_generateddocument_no_truncate ON documents_generateddocument;
CREATE TRIGGER documents_generateddocument_no_truncate
    BEFORE TRUNCATE ON documents_generateddocument
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_truncate();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS documents_generateddocument_ready_final ON documents_generateddocument;
DROP TRIGGER IF EXISTS documents_generateddocument_no_truncate ON documents_generateddocument;
DROP FUNCTION IF EXISTS documents_ready_final();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_claimed_by"),
        ("core", "0007_append_only_below_the_application"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
