
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.plugins import optional_module


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (cabinet, utilisateurs, patients, tournées…). "
        "Déterministe et idempotent. Refusé quand DJANGO_DEBUG=false."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="N'affiche pas les identifiants.")

    def handle(self, *args, quiet=False, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Les données de démonstration (mot de passe commun) sont refusées en production "
                "(DJANGO_DEBUG=false)."
            )
        # Each project app may ship a `demo` module with `seed()`; they run in
        # INSTALLED_APPS order, which is also the import direction.
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not str(config.path).startswith(str(settings.BASE_DIR)):
                    continue
                module = optional_module(f"{config.name}.demo")
                if module is None:
                    continue
                module.seed(stdout=None if quiet else self.stdout)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(f"Identifiants de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for username, first, last, role, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {first} {last} — {role.label}")
