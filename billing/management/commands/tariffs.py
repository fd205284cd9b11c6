"""`python manage.py tariffs [--date D] [--territory T]`: the NGAP values in
force on a date of care (default today), each with the date it came into
force, its status and the text that set it; and up to which date the values
are verified (README, "Tarifs NGAP")."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.ngap.tariffs import TariffError
from billing.ngap.tariffs import load as load_tariffs


class Command(BaseCommand):
    help = "Affiche les valeurs NGAP en vigueur à une date, avec leurs sources."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="date des soins AAAA-MM-JJ "
                                                         "(par défaut aujourd'hui)")
        parser.add_argument("--territory", default="metropole",
                            help="territoire des tarifs (metropole, dom)")

    def handle(self, *args, **options):
        raw = options.get("date")
        try:
            day = date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            raise CommandError(f"date invalide : {raw!r} (attendu AAAA-MM-JJ)") from None
        table = load_tariffs()
        territory = options.get("territory") or "metropole"
        if territory not in table.territories:
            raise CommandError(f"territoire inconnu : {territory} "
                               f"(attendu : {', '.join(table.territories)})")
        try:
            snap = table.at(territory, day)
        except TariffError as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout
        out.write(f"Tarifs NGAP en vigueur le {day:%d/%m/%Y} ({territory}), "
                  f"version du {snap.effective:%d/%m/%Y}")
        if table.verified_until is not None:
            out.write(f"Vérifiés jusqu'au {table.verified_until:%d/%m/%Y} : "
                      f"{table.verified_source}")
            if day > table.verified_until:
                out.write(f"ATTENTION : le {day:%d/%m/%Y} est après la date de vérification ; "
                          "un avenant a pu changer ces valeurs.")
        out.write("")
        for code in table.parameters:
            if code not in snap:
                continue
            value = snap.get(code)
            param = table.parameters[code]
            out.write(f"{code:<28} {value.value:>8} {param.unit:<11} depuis le "
                      f"{value.since:%d/%m/%Y}  {value.status:<9}  {value.source}")
