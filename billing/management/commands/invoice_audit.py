"""`python manage.py invoice_audit`: the pre-send audit (AUD-1…11) of the
séances read as JSON on stdin; prints `{"valid", "errors", "warnings"}`.
Invalid input: `{"error": ..., "field": ...}` on stdout, exit status 2, never
a traceback. The invoice pages run the same `billing.audit.run_audit`.
See README, "Audit avant envoi (`invoice_audit`)"."""

from __future__ import annotations

from billing.audit import jsonio, run_audit

from ._jsoncommand import JsonCommand


class Command(JsonCommand):
    help = (
        "Audit avant envoi (AUD-1…11, docs/domain/facturation.md) des séances lues en JSON sur "
        "l'entrée standard ; écrit {\"valid\", \"errors\", \"warnings\"} en JSON."
    )

    def compute(self, text, table, *, territory, alsace_moselle):
        data = jsonio.parse_input(jsonio.loads(text), territory=territory,
                                  alsace_moselle=alsace_moselle)
        return jsonio.result_json(run_audit(data, table))
