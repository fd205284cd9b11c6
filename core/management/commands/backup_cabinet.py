import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backup import BackupError, create_backup, encrypt_file, load_recipients


class Command(BaseCommand):
    help = (
        "Sauvegarde le cabinet (S-DATA-3) : la base de données, tous les fichiers de MEDIA_ROOT "
        "et un manifeste (migrations, lignes par table, SHA-256 de chaque fichier) dans une "
        "archive .tar.gz, chiffrée avec age (--encrypt) : elle contient des données de santé. "
        "Ne remplace jamais un fichier existant."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output", help="Archive à créer, par exemple cabinet-2025-01-31.tar.gz.age"
        )
        parser.add_argument(
            "--encrypt", action="append", metavar="CLÉ", default=[],
            help="Chiffre l'archive pour ce destinataire : clé publique age (age1…) ou ssh, "
                 "ou fichier de clés (une par ligne). Répétable. Par défaut BACKUP_RECIPIENTS.",
        )
        parser.add_argument(
            "--plain", action="store_true",
            help="Archive non chiffrée (refusée en production sans cette option).",
        )

    def handle(self, *args, output, encrypt, plain, **options):
        path = Path(output).expanduser().absolute()
        specs = encrypt or list(getattr(settings, "BACKUP_RECIPIENTS", []))
        if plain and encrypt:
            raise CommandError("--plain et --encrypt s'excluent.")
        if not specs and not plain and not settings.BACKUP_PLAIN_ALLOWED:
            raise CommandError(
                "Sauvegarde refusée : une archive du cabinet contient des données de santé. "
                "Chiffrez-la (--encrypt age1… ou BACKUP_RECIPIENTS), ou confirmez --plain."
            )
        try:
            recipients = load_recipients(specs) if specs and not plain else []
            if recipients:
                manifest = self._encrypted(path, recipients)
            else:
                manifest = self._backup(path)
        except BackupError as exc:
            raise CommandError(f"Sauvegarde échouée : {exc}") from exc
        rows = sum(manifest["tables"].values())
        state = "chiffrée (age)" if recipients else "NON chiffrée"
        self.stdout.write(self.style.SUCCESS(
            f"Sauvegarde {state} écrite : {path} ({len(manifest['tables'])} tables, {rows} "
            f"lignes, {len(manifest['media'])} fichiers)."
        ))

    def _backup(self, path: Path) -> dict:
        return create_backup(path, connection, Path(settings.MEDIA_ROOT),
                             log=lambda message: self.stdout.write(message))

    def _encrypted(self, path: Path, recipients: list) -> dict:
        if path.exists() or path.is_symlink():
            raise BackupError(f"Le fichier {path} existe déjà : choisissez un autre nom.")
        if not path.parent.is_dir():
            raise BackupError(f"Le dossier {path.parent} n'existe pas.")
        # The clear archive lives only in a private temporary folder beside
        # the output, removed whatever happens.
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".cabinet-backup-") as work:
            plain = Path(work) / "cabinet.tar.gz"
            manifest = self._backup(plain)
            self.stdout.write(f"Chiffrement pour {len(recipients)} destinataire(s)…")
            encrypt_file(plain, path, recipients)
        return manifest
