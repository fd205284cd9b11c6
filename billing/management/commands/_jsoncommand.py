"""What the billing JSON commands (`ngap_quote`, `invoice_audit`) share: the tariff
options, reading the input, and the contract on bad input — `{"error", "field"}` on stdout,
exit status 2, never a traceback (S-INPUT-1: the output is writable as UTF-8 whatever it
echoes back)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from billing.ngap.jsonio import error_json
from billing.ngap.model import QuoteError
from billing.ngap.tariffs import TariffTable
from billing.ngap.tariffs import load as load_tariffs
from core import jsonio as safe_json

EXIT_INVALID = 2


class JsonCommand(BaseCommand):
    requires_system_checks: list = []
    # `call_command(name, stdin=io.StringIO(...))` in tests.
    stealth_options = ("stdin",)
    # What the empty-input error says is expected ("un objet JSON", "un passage JSON").
    expected_input = "un objet JSON"
    alsace_moselle_help = "cabinet en Alsace-Moselle (jours fériés, NGAP-14-7)"

    def add_arguments(self, parser):
        parser.add_argument("--territory", default="metropole",
                            help="territoire des tarifs (metropole, dom)")
        parser.add_argument("--alsace-moselle", action="store_true", help=self.alsace_moselle_help)
        parser.add_argument("--indent", type=int, default=None, help="indentation du JSON")

    def compute(self, text: str, table: TariffTable, *, territory: str,
                alsace_moselle: bool) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def handle(self, *args, **options):
        indent = options.get("indent")
        try:
            text = self.read_input(options)
            table = load_tariffs()
            territory = options.get("territory") or "metropole"
            if territory not in table.territories:
                raise QuoteError(f"territoire inconnu : {territory}", "territory")
            result = self.compute(text, table, territory=territory,
                                  alsace_moselle=bool(options.get("alsace_moselle")))
        except QuoteError as exc:
            self._emit(error_json(exc), indent)
            raise SystemExit(EXIT_INVALID) from None
        except safe_json.JsonInputError as exc:
            self._emit(error_json(QuoteError(exc.message, exc.field)), indent)
            raise SystemExit(EXIT_INVALID) from None
        except Exception as exc:  # noqa: BLE001 - the contract: JSON, never a traceback
            self._emit({"error": f"erreur interne : {type(exc).__name__}"}, indent)
            raise SystemExit(EXIT_INVALID) from None
        self._emit(result, indent)

    def read_input(self, options) -> str:
        stdin = options.get("stdin")
        stream = stdin if stdin is not None else sys.stdin
        # A real stdin is read as bytes: what is not UTF-8 gets its own error.
        raw = getattr(stream, "buffer", None)
        return self.checked_text(raw.read() if raw is not None else stream.read())

    def checked_text(self, data: str | bytes) -> str:
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise QuoteError("entrée non UTF-8") from None
        if not data.strip():
            raise QuoteError(f"entrée vide : {self.expected_input} est attendu sur l'entrée standard")
        return data

    def _emit(self, payload: dict, indent) -> None:
        self.stdout.write(safe_json.dumps(payload, indent=indent))
