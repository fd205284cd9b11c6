"""Restaure une archive de backup_cabinet (S-DATA-3) : la base et les fichiers, dans la base
configurée et MEDIA_ROOT, ou dans la cible donnée (--database-url, --media-root). Vérifie
ensuite les lignes de chaque table et le SHA-256 de chaque fichier."""

import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core.backup import (
    BackupError,
    Database,
    check_media,
    check_rows,
    code_migrations,
    decrypt_file,
    extract_archive,
    is_encrypted,
    load_identities,
    restore_database,
    restore_media,
    sha256_file,
    target_is_empty,
)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive créée par backup_cabinet (.tar.gz ou .age)")
        parser.add_argument(
            "--identity", action="append", metavar="FICHIER", default=[],
            help="Clé privée age (fichier AGE-SECRET-KEY-…) d'une archive chiffrée.",
        )
        parser.add_argument(
            "--database-url",
            help="Base cible (postgres://… ou sqlite:///…) ; par défaut la base configurée.",
        )
        parser.add_argument("--media-root", help="Dossier cible des fichiers ; par défaut MEDIA_ROOT.")
        parser.add_argument(
            "--yes", action="store_true",
            help="Confirme le remplacement d'une base qui contient déjà des tables.",
        )

    def handle(self, *args, archive, database_url=None, media_root=None, yes=False,
               identity=(), **options):
        try:
            self.restore(Path(archive), database_url, media_root, yes, list(identity or []))
        except BackupError as exc:
            raise CommandError(f"Restauration échouée : {exc}") from exc

    def restore(self, archive: Path, database_url, media_root, yes: bool,
                identity: list[str] | None = None) -> None:
        if not archive.is_file():
            raise BackupError(f"Archive introuvable : {archive}.")
        if is_encrypted(archive):
            with tempfile.TemporaryDirectory(prefix="cabinet-decrypt-") as work:
                plain = Path(work) / "cabinet.tar.gz"
                self.stdout.write("Déchiffrement de l'archive…")
                decrypt_file(archive, plain, load_identities(identity or []))
                # Then checked like any archive: manifest, SHA-256, rows.
                return self.restore(plain, database_url, media_root, yes)
        configured = Database.from_settings(connections["default"].settings_dict)
        db = Database.from_url(database_url) if database_url else configured
        media = Path(media_root or settings.MEDIA_ROOT).expanduser().absolute()

        with tempfile.TemporaryDirectory(prefix="cabinet-restore-") as work:
            staging = Path(work)
            manifest = extract_archive(archive, staging)
            if manifest["vendor"] != db.vendor:
                raise BackupError(
                    f"L'archive vient d'une base {manifest['vendor']} et la cible est une base "
                    f"{db.vendor} : restauration refusée."
                )
            # The archive is checked before anything is touched.
            dump = staging / manifest["database"]["file"]
            if sha256_file(dump) != manifest["database"]["sha256"]:
                raise BackupError("Archive altérée : la copie de la base ne correspond pas au manifeste.")
            problems = check_media(staging / "media", manifest["media"], exact=True)
            if problems:
                raise BackupError("Archive altérée :\n- " + "\n- ".join(problems))

            db_empty, media_empty = target_is_empty(db, media)
            if not yes and not (db_empty and media_empty):
                what = []
                if not db_empty:
                    what.append(f"la base {db.label()} contient déjà des tables")
                if not media_empty:
                    what.append(f"le dossier {media} contient déjà des fichiers")
                raise BackupError(
                    " et ".join(what).capitalize()
                    + " : elle serait remplacée par la sauvegarde. Relancez avec --yes pour confirmer."
                )

            if (db.vendor, db.name, db.host, db.port) == (
                configured.vendor, configured.name, configured.host, configured.port
            ):
                connections.close_all()
            self.stdout.write(f"Restauration de la base ({db.label()})…")
            restore_database(db, dump)
            self.stdout.write(f"Restauration de {len(manifest['media'])} fichier(s) dans {media}…")
            restore_media(staging / "media", media, manifest["media"])

        problems = check_rows(db, manifest["tables"]) + check_media(media, manifest["media"])
        if problems:
            raise BackupError(
                "la cible ne correspond pas au manifeste :\n- " + "\n- ".join(problems)
            )
        extra = self.extra_files(media, manifest["media"])
        if extra:
            self.stdout.write(self.style.WARNING(
                f"{len(extra)} fichier(s) de {media} absents de l'archive ont été conservés."
            ))
        self.warn_migrations(manifest.get("migrations", {}))
        self.stdout.write(self.style.SUCCESS(
            f"Restauration vérifiée : {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} lignes, {len(manifest['media'])} fichiers "
            f"(sauvegarde du {manifest['created_at']})."
        ))

    @staticmethod
    def extra_files(media: Path, expected: dict) -> list[str]:
        known = {PurePosixPath(rel) for rel in expected}
        return sorted(
            str(path.relative_to(media)) for path in media.rglob("*")
            if path.is_file() and PurePosixPath(path.relative_to(media).as_posix()) not in known
        )

    def warn_migrations(self, archived: dict) -> None:
        code = code_migrations()
        behind = sorted(app for app, name in code.items() if archived.get(app) != name)
        if behind:
            self.stdout.write(self.style.WARNING(
                "Les migrations de la sauvegarde diffèrent de celles du code pour : "
                + ", ".join(behind)
                + ". Si le code est plus récent, lancez « python manage.py migrate »."
            ))
