"""R-REPL-38: a signed contract is never edited. On PostgreSQL the database refuses any
change of a clause once the contract left the draft status, any return to draft, and the
deletion of a contract that is not a draft; transmission dates, the end and the
termination stay writable (they are the lifecycle, not the clauses)."""

from django.db import migrations

# The clause columns at the time of this migration (models.CLAUSE_FIELDS then).
CLAUSE_FIELDS = (
    'titulaire_id',
    'remplacant_id',
    'parent_id',
    'start_at',
    'end_at',
    'is_repeated',
    'motif',
    'unavailability_id',
    'place',
    'place_details',
    'means_premises',
    'means_software',
    'means_car',
    'means_materials',
    'means_details',
    'cabinet_share_percent',
    'travel_to_remplacant',
    'travel_share_percent',
    'monthly_cap',
    'basis',
    'bad_debt_borne_by',
    'payment_method',
    'payment_schedule',
    'cabinet_costs_justification_required',
    'occasional',
    'non_compete_clause',
    'non_compete_text',
    'non_compete_radius_km',
    'non_compete_months',
    'notice_days',
    'early_termination_terms',
    'coordination',
    'remplacant_installed_at_signature',
    'signed_by_titulaire_at',
    'signed_by_remplacant_at',
)

COLUMNS = ", ".join(CLAUSE_FIELDS)
OLD = ", ".join(f"OLD.{c}" for c in CLAUSE_FIELDS)
NEW = ", ".join(f"NEW.{c}" for c in CLAUSE_FIELDS)

TRIGGER = f"""
CREATE OR REPLACE FUNCTION replacements_contract_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'brouillon' THEN
            RAISE EXCEPTION 'R-REPL-38: a signed replacement contract cannot be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'brouillon' THEN
        IF NEW.status = 'brouillon' THEN
            RAISE EXCEPTION 'R-REPL-38: a signed replacement contract cannot return to draft';
        END IF;
        IF ROW({NEW}) IS DISTINCT FROM ROW({OLD}) THEN
            RAISE EXCEPTION 'R-REPL-38: the clauses of a signed replacement contract are frozen; write an avenant';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS replacements_contract_frozen ON replacements_contract;
CREATE TRIGGER replacements_contract_frozen BEFORE UPDATE OR DELETE ON replacements_contract
    FOR EACH ROW EXECUTE FUNCTION replacements_contract_frozen();
"""
DROP = """
DROP TRIGGER IF EXISTS replacements_contract_frozen ON replacements_contract;
DROP FUNCTION IF EXISTS replacements_contract_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("replacements", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
