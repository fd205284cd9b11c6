"""`python manage.py ngap_quote`: the cotation of one passage, or of a
nurse's day (`{"seances": [...]}`), read as JSON on stdin, printed as JSON on
stdout. Invalid input: `{"error": ..., "field": ...}` on stdout, exit status 2,
never a traceback. See README, "Cotation NGAP (`ngap_quote`)"."""

from __future__ import annotations

from billing.ngap import engine, jsonio
from billing.ngap.model import QuoteError
from core import jsonio as safe_json

from ._jsoncommand import JsonCommand


class Command(JsonCommand):
    help = (
        "Cote un passage (ou une journée {\"seances\": [...]}) lu en JSON sur l'entrée "
        "standard et écrit le résultat en JSON (règles NGAP, docs/domain/ngap.md)."
    )
    expected_input = "un passage JSON"
    alsace_moselle_help = (
        "cabinet en Alsace-Moselle : Vendredi saint et 26 décembre fériés (NGAP-14-7)")

    def add_arguments(self, parser):
        parser.add_argument(
            "--input", default="-", help="fichier JSON à lire (par défaut l'entrée standard)"
        )
        super().add_arguments(parser)

    def read_input(self, options) -> str:
        path = options.get("input") or "-"
        if path == "-":
            return super().read_input(options)
        try:
            with open(path, encoding="utf-8") as fh:
                return self.checked_text(fh.read())
        except OSError as exc:
            raise QuoteError(f"fichier illisible : {exc.strerror}", "input") from None

    def compute(self, text, table, *, territory, alsace_moselle):
        payload = jsonio.loads(text)
        safe_json.check_text(payload)
        request = jsonio.parse_request(payload, territory=territory, alsace_moselle=alsace_moselle)
        if isinstance(request, list):
            return jsonio.day_json(engine.quote_day(request, table))
        return jsonio.quote_json(engine.quote(request, table))
