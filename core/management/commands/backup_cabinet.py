from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sauvegarde le cabinet (S-DATA-3) : la base de données, tous les fichiers de MEDIA_ROOT "
        "et un manifeste (migrations, lignes par table, SHA-256 de chaque fichier) dans une "
        "archive .tar.gz. Ne remplace jamais un fichier existant."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Archive à créer, par exemple cabinet-2025-01-31.tar.gz")

    def handle(self, *args, output, **options):
        path = Path(output).expanduser().absolute()
        try:
            manifest = create_backup(
                path, connection, Path(settings.MEDIA_ROOT),
                log=lambda message: self.stdout.write(message),
            )
        except BackupError as exc:
            raise CommandError(f"Sauvegarde échouée : {exc}") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde écrite : {path} ({len(manifest['tables'])} tables, {rows} lignes, "
            f"{len(manifest['media'])} fichiers)."
        ))
