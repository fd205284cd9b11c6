"""Patient search without a full table scan on PostgreSQL: a trigram GIN index
on the folded `search_text`, so `LIKE '%term%'` (name, birth date, NIR part) is
served by the index. SQLite keeps the plain b-tree index of the model."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS cabinet_patient_search_trgm
    ON cabinet_patient USING gin (search_text gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS cabinet_patient_search_trgm;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cabinet", "0002_patients_versions_ald_validity")]
    operations = [migrations.RunPython(forwards, backwards)]
