"""`python manage.py ngap_quote`: the cotation of one passage, or of a
nurse's day (`{"seances": [...]}`), read as JSON on stdin, printed as JSON on
stdout. Invalid input: `{"error": ..., "field": ...}` on stdout, exit status 2,
never a traceback. See README, "Cotation NGAP (`ngap_quote`)"."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from billing.ngap import engine, jsonio
from billing.ngap.model import QuoteError
from billing.ngap.tariffs import load as load_tariffs
from core import jsonio as safe_json

EXIT_INVALID = 2


class Command(BaseCommand):
    help = (
        "Cote un passage (ou une journée {\"seances\": [...]}) lu en JSON sur l'entrée "
        "standard et écrit le résultat en JSON (règles NGAP, docs/domain/ngap.md)."
    )
    requires_system_checks: list = []
    # `call_command("ngap_quote", stdin=io.StringIO(...))` in tests.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--input", default="-", help="fichier JSON à lire (par défaut l'entrée standard)"
        )
        parser.add_argument(
            "--territory", default="metropole", help="territoire des tarifs (metropole, dom)"
        )
        parser.add_argument(
            "--alsace-moselle", action="store_true",
            help="cabinet en Alsace-Moselle : Vendredi saint et 26 décembre fériés (NGAP-14-7)",
        )
        parser.add_argument("--indent", type=int, default=None, help="indentation du JSON")

    def handle(self, *args, **options):
        indent = options.get("indent")
        try:
            text = self._read(options.get("input") or "-", options.get("stdin"))
            table = load_tariffs()
            territory = options.get("territory") or "metropole"
            if territory not in table.territories:
                raise QuoteError(f"territoire inconnu : {territory}", "territory")
            payload = jsonio.loads(text)
            safe_json.check_text(payload)
            request = jsonio.parse_request(
                payload,
                territory=territory,
                alsace_moselle=bool(options.get("alsace_moselle")),
            )
            if isinstance(request, list):
                result = jsonio.day_json(engine.quote_day(request, table))
            else:
                result = jsonio.quote_json(engine.quote(request, table))
        except QuoteError as exc:
            self._emit(jsonio.error_json(exc), indent)
            raise SystemExit(EXIT_INVALID) from None
        except safe_json.JsonInputError as exc:
            self._emit(jsonio.error_json(QuoteError(exc.message, exc.field)), indent)
            raise SystemExit(EXIT_INVALID) from None
        except Exception as exc:  # noqa: BLE001 - the contract: JSON, never a traceback
            self._emit({"error": f"erreur interne : {type(exc).__name__}"}, indent)
            raise SystemExit(EXIT_INVALID) from None
        self._emit(result, indent)

    def _read(self, path: str, stdin=None) -> str:
        if path == "-":
            stream = stdin if stdin is not None else sys.stdin
            data = stream.read()
        else:
            try:
                with open(path, encoding="utf-8") as fh:
                    data = fh.read()
            except OSError as exc:
                raise QuoteError(f"fichier illisible : {exc.strerror}", "input") from None
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise QuoteError("entrée non UTF-8") from None
        if not data.strip():
            raise QuoteError("entrée vide : un passage JSON est attendu sur l'entrée standard")
        return data

    def _emit(self, payload: dict, indent) -> None:
        # S-INPUT-1: writable as UTF-8 whatever the payload echoes back.
        self.stdout.write(safe_json.dumps(payload, indent=indent))
