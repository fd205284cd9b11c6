from django.db import migrations

# S-DATA-1 / FAC-4: an invoiced séance is refused by the database as well.
# Once `invoiced_at` is set, no column changes except the review flag
# (`changed_after_invoice`), `updated_at`, `row_version` and `invoiced_at`
# itself going back to NULL when no live invoice links the séance any more
# (a deleted draft, an invoice cancelled by its avoir); it is never deleted;
# TRUNCATE is refused.
FORWARD = """
CREATE OR REPLACE FUNCTION billing_seance_invoiced_final() RETURNS trigger AS $$
BEGIN
    IF OLD.invoiced_at IS NULL THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'séance % facturée : suppression refusée (S-DATA-1)', OLD.id;
    END IF;
    IF (to_jsonb(NEW) - 'invoiced_at' - 'changed_after_invoice' - 'updated_at' - 'row_version')
       IS DISTINCT FROM
       (to_jsonb(OLD) - 'invoiced_at' - 'changed_after_invoice' - 'updated_at' - 'row_version') THEN
        RAISE EXCEPTION 'séance % facturée : modification refusée (S-DATA-1)', OLD.id;
    END IF;
    IF NEW.invoiced_at IS NULL AND EXISTS (
        SELECT 1 FROM billing_invoiceseance link
        JOIN billing_invoice invoice ON invoice.id = link.invoice_id
        WHERE link.seance_id = OLD.id AND invoice.status NOT IN ('brouillon', 'annulee')
    ) THEN
        RAISE EXCEPTION 'séance % : sa facture est validée, elle reste facturée (S-DATA-1)', OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_seance_invoiced_final ON billing_seance;
CREATE TRIGGER billing_seance_invoiced_final BEFORE UPDATE OR DELETE ON billing_seance
    FOR EACH ROW EXECUTE FUNCTION billing_seance_invoiced_final();

-- The lines of an invoiced séance are frozen with it.
CREATE OR REPLACE FUNCTION billing_seanceline_invoiced_final() RETURNS trigger AS $$
DECLARE
    parent_id bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN parent_id := NEW.seance_id; ELSE parent_id := OLD.seance_id; END IF;
    IF EXISTS (SELECT 1 FROM billing_seance WHERE id = parent_id AND invoiced_at IS NOT NULL) THEN
        RAISE EXCEPTION 'lignes de la séance % facturée : modification refusée (S-DATA-1)',
            parent_id;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS billing_seanceline_invoiced_final ON billing_seanceline;
CREATE TRIGGER billing_seanceline_invoiced_final BEFORE INSERT OR UPDATE OR DELETE
    ON billing_seanceline FOR EACH ROW EXECUTE FUNCTION billing_seanceline_invoiced_final();
""" + "".join(f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_truncate();
""" for table in ("billing_seance", "billing_seanceline", "billing_invoice",
                  "billing_invoiceline", "billing_invoiceseance"))
BACKWARD = """
DROP TRIGGER IF EXISTS billing_seance_invoiced_final ON billing_seance;
DROP FUNCTION IF EXISTS billing_seance_invoiced_final();
DROP TRIGGER IF EXISTS billing_seanceline_invoiced_final ON billing_seanceline;
DROP FUNCTION IF EXISTS billing_seanceline_invoiced_final();
""" + "".join(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in (
    "billing_seance", "billing_seanceline", "billing_invoice", "billing_invoiceline",
    "billing_invoiceseance"))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_seance_forfait_and_entry"),
        ("core", "0007_append_only_below_the_application"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
