"""`python manage.py invoice_audit`: the pre-send audit (AUD-1…11) of the
séances read as JSON on stdin; prints `{"valid", "errors", "warnings"}`.
Invalid input: `{"error": ..., "field": ...}` on stdout, exit status 2, never
a traceback. The invoice pages run the same `billing.audit.run_audit`.
See README, "Audit avant envoi (`invoice_audit`)"."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from billing.audit import jsonio, run_audit
from billing.ngap.jsonio import error_json
from billing.ngap.model import QuoteError
from billing.ngap.tariffs import load as load_tariffs

EXIT_INVALID = 2


class Command(BaseCommand):
    help = (
        "Audit avant envoi (AUD-1…11, docs/domain/facturation.md) des séances lues en JSON sur "
        "l'entrée standard ; écrit {\"valid\", \"errors\", \"warnings\"} en JSON."
    )
    requires_system_checks: list = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--territory", default="metropole",
                            help="territoire des tarifs (metropole, dom)")
        parser.add_argument("--alsace-moselle", action="store_true",
                            help="cabinet en Alsace-Moselle (jours fériés, NGAP-14-7)")
        parser.add_argument("--indent", type=int, default=None, help="indentation du JSON")

    def handle(self, *args, **options):
        indent = options.get("indent")
        try:
            text = self._read(options.get("stdin"))
            table = load_tariffs()
            territory = options.get("territory") or "metropole"
            if territory not in table.territories:
                raise QuoteError(f"territoire inconnu : {territory}", "territory")
            data = jsonio.parse_input(jsonio.loads(text), territory=territory,
                                      alsace_moselle=bool(options.get("alsace_moselle")))
            result = jsonio.result_json(run_audit(data, table))
        except QuoteError as exc:
            self._emit(error_json(exc), indent)
            raise SystemExit(EXIT_INVALID) from None
        except Exception as exc:  # noqa: BLE001 - the contract: JSON, never a traceback
            self._emit({"error": f"erreur interne : {type(exc).__name__}"}, indent)
            raise SystemExit(EXIT_INVALID) from None
        self._emit(result, indent)

    def _read(self, stdin=None) -> str:
        stream = stdin if stdin is not None else sys.stdin
        raw = getattr(stream, "buffer", None)
        data = raw.read() if raw is not None else stream.read()
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise QuoteError("entrée non UTF-8") from None
        if not data.strip():
            raise QuoteError("entrée vide : un objet JSON est attendu sur l'entrée standard")
        return data

    def _emit(self, payload: dict, indent) -> None:
        try:
            text = json.dumps(payload, ensure_ascii=False, indent=indent)
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(payload, ensure_ascii=True, indent=indent)
        self.stdout.write(text)
