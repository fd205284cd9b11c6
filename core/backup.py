"""Backup and restore of the whole cabinet: database and uploaded files (S-DATA-3).

An archive is a gzipped tar holding:

- `manifest.json`: format, date, database vendor, latest applied migration per
  app, row count per table, SHA-256 of the database dump and of every file;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`) or
  `database.sqlite3` (SQLite, a consistent copy made with the backup API);
- `media/…`: every file under MEDIA_ROOT.

The row counts are taken in the same snapshot as the dump (PostgreSQL: an
exported snapshot handed to `pg_dump --snapshot`; SQLite: counted on the
copy), so a restore can be checked row for row against the manifest.

Messages are in French (they reach the user through the management commands).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - pg_dump/pg_restore run with fixed argument lists, no shell
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import environ
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MEDIA_PREFIX = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
# libpq settings a deployment may put in the database OPTIONS, handed to the
# client tools through their environment variables.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or a restore cannot go on; the message is for the user."""


# --------------------------------------------------------------------------
# Database targets


@dataclass
class Database:
    """One database, described by Django-style settings (ENGINE, NAME, USER…)."""

    vendor: str  # "postgresql" | "sqlite"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: dict = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings_dict: dict) -> Database:
        engine = settings_dict.get("ENGINE", "")
        if "postgresql" in engine or "postgis" in engine:
            vendor = "postgresql"
        elif "sqlite3" in engine or "spatialite" in engine:
            vendor = "sqlite"
        else:
            raise BackupError(f"Moteur de base de données non pris en charge : {engine}.")
        return cls(
            vendor=vendor,
            name=str(settings_dict.get("NAME") or ""),
            user=settings_dict.get("USER") or "",
            password=settings_dict.get("PASSWORD") or "",
            host=settings_dict.get("HOST") or "",
            port=str(settings_dict.get("PORT") or ""),
            options=dict(settings_dict.get("OPTIONS") or {}),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # django-environ raises several types
            raise BackupError(f"URL de base de données invalide : {exc}") from exc
        return cls.from_settings(config)

    @property
    def is_memory(self) -> bool:
        return self.vendor == "sqlite" and (
            self.name in ("", ":memory:") or "mode=memory" in self.name
        )

    def label(self) -> str:
        if self.vendor == "sqlite":
            return f"SQLite {self.name}"
        return f"PostgreSQL {self.name} sur {self.host or 'localhost'}:{self.port or 5432}"

    # PostgreSQL client tools: the password only ever goes through PGPASSWORD.
    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        for key, var in LIBPQ_OPTIONS.items():
            if self.options.get(key) not in (None, ""):
                env[var] = str(self.options[key])
        return env

    def pg_args(self) -> list[str]:
        args = [f"--dbname={self.name}"]
        if self.host:
            args.append(f"--host={self.host}")
        if self.port:
            args.append(f"--port={self.port}")
        if self.user:
            args.append(f"--username={self.user}")
        return args

    def connect(self):
        """A plain DB-API connection (not Django's)."""
        if self.vendor == "sqlite":
            if not self.is_memory and not Path(self.name).exists():
                # sqlite3.connect would create an empty file as a side effect.
                return sqlite3.connect(":memory:")
            return sqlite3.connect(self.name, uri=self.name.startswith("file:"))
        import psycopg

        params = {
            "dbname": self.name,
            "user": self.user or None,
            "password": self.password or None,
            "host": self.host or None,
            "port": self.port or None,
        }
        params.update({k: v for k, v in self.options.items() if k in LIBPQ_OPTIONS})
        try:
            return psycopg.connect(**{k: v for k, v in params.items() if v is not None})
        except psycopg.OperationalError as exc:
            raise BackupError(
                f"Connexion impossible à la base {self.label()} : {exc}".strip()
                + " (pour une restauration sur un nouveau serveur, créez d'abord la base vide,"
                " par exemple avec createdb)."
            ) from exc


def list_tables(conn, vendor: str) -> list[str]:
    cur = conn.cursor()
    if vendor == "sqlite":
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    else:
        cur.execute(
            "SELECT tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname = current_schema() ORDER BY tablename"
        )
    return [row[0] for row in cur.fetchall()]


def has_user_tables(conn, vendor: str) -> bool:
    if vendor == "sqlite":
        return bool(list_tables(conn, vendor))
    cur = conn.cursor()
    cur.execute(
        "SELECT count(*) FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    return cur.fetchone()[0] > 0


def quote_name(name: str) -> str:
    """SQL identifier quoting, valid for SQLite and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def row_counts(conn, vendor: str, tables: list[str] | None = None) -> dict[str, int]:
    """Rows per table; `tables` missing from the database count as -1."""
    existing = set(list_tables(conn, vendor))
    cur = conn.cursor()
    counts = {}
    for table in tables if tables is not None else sorted(existing):
        if table not in existing:
            counts[table] = -1
            continue
        # The name is an existing table's, quoted as an identifier.
        cur.execute(f"SELECT count(*) FROM {quote_name(table)}")  # noqa: S608  # nosec B608 - an existing table name, quoted as an identifier
        counts[table] = cur.fetchone()[0]
    return counts


def applied_migrations(conn, vendor: str) -> dict[str, str]:
    """The latest applied migration of each app.

    A squashed migration is left out: Django records it only once all the
    migrations it replaces are applied, after any later migration of the same
    app that ran in the same `migrate` (django-otp-webauthn's
    0001_squashed_0003 lands after its 0004), so it is never the app's latest.
    """
    if "django_migrations" not in list_tables(conn, vendor):
        return {}
    squashes = set(MigrationLoader(None, ignore_no_migrations=True).replacements)
    cur = conn.cursor()
    cur.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
    latest: dict[str, str] = {}
    for app, name in cur.fetchall():
        if (app, name) not in squashes:
            latest[app] = name
    return dict(sorted(latest.items()))


def code_migrations() -> dict[str, str]:
    """The latest migration of each app in the code (for a warning only)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return dict(sorted(loader.graph.leaf_nodes()))


# --------------------------------------------------------------------------
# Helpers


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"L'outil PostgreSQL « {name} » est introuvable dans le PATH : installez les outils "
            "clients PostgreSQL (paquet postgresql-client, de la même version majeure que le "
            "serveur ou plus récente)."
        )
    return path


def run_tool(args: list[str], env: dict[str, str]) -> str:
    try:
        # A fixed list of arguments, no shell; the executable comes from
        # require_tool() and the password goes through the environment.
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603 - executable from require_tool, fixed arguments, no shell
    except OSError as exc:
        raise BackupError(f"Impossible de lancer {Path(args[0]).name} : {exc}") from exc
    if result.returncode != 0:
        raise BackupError(
            f"{Path(args[0]).name} a échoué (code {result.returncode}) :\n{result.stderr.strip()}"
        )
    return result.stdout


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> tuple[list[Path], list[Path]]:
    """Regular files under `root` (sorted, relative) and what was skipped (links…)."""
    files, skipped = [], []
    if not root.is_dir():
        return files, skipped
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in dirnames:
            if (base / name).is_symlink():
                skipped.append((base / name).relative_to(root))
        for name in filenames:
            path = base / name
            if path.is_symlink() or not path.is_file():
                skipped.append(path.relative_to(root))
            else:
                files.append(path.relative_to(root))
    return sorted(files), sorted(skipped)


# --------------------------------------------------------------------------
# Backup


def _dump_sqlite(django_connection, dest: Path, manifest: dict) -> None:
    django_connection.ensure_connection()
    target = sqlite3.connect(dest)
    try:
        # Works for a file and for an in-memory database alike, and copies a
        # consistent state even while other connections write.
        django_connection.connection.backup(target)
        manifest["tables"] = row_counts(target, "sqlite")
        manifest["migrations"] = applied_migrations(target, "sqlite")
    finally:
        target.close()


def _dump_postgresql(db: Database, dest: Path, manifest: dict) -> None:
    pg_dump = require_tool("pg_dump")
    manifest["database"]["pg_dump_version"] = run_tool([pg_dump, "--version"], os.environ.copy()).strip()
    conn = db.connect()
    try:
        import psycopg

        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        cur = conn.cursor()
        cur.execute("SELECT pg_export_snapshot()")
        snapshot = cur.fetchone()[0]
        # The counts and the dump see the same snapshot.
        manifest["tables"] = row_counts(conn, "postgresql")
        manifest["migrations"] = applied_migrations(conn, "postgresql")
        run_tool(
            [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={dest}", *db.pg_args()],
            db.pg_env(),
        )
        conn.rollback()
    finally:
        conn.close()


def create_backup(output: Path, django_connection, media_root: Path, log=None) -> dict:
    """Writes the archive `output` (never overwritten) and returns its manifest."""
    log = log or (lambda message: None)
    output = Path(output)
    if output.exists() or output.is_symlink():
        raise BackupError(f"Le fichier {output} existe déjà : choisissez un autre nom.")
    if not output.parent.is_dir():
        raise BackupError(f"Le dossier {output.parent} n'existe pas.")
    db = Database.from_settings(django_connection.settings_dict)
    dump_name = DUMP_NAMES[db.vendor]
    manifest: dict = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "vendor": db.vendor,
        "database": {"file": dump_name},
    }
    media_root = Path(media_root)
    with tempfile.TemporaryDirectory(prefix="cabinet-backup-") as work:
        dump = Path(work) / dump_name
        log(f"Sauvegarde de la base ({db.label()})…")
        if db.vendor == "sqlite":
            _dump_sqlite(django_connection, dump, manifest)
        else:
            _dump_postgresql(db, dump, manifest)
        manifest["database"]["sha256"] = sha256_file(dump)
        files, skipped = media_files(media_root)
        for rel in skipped:
            log(f"Attention : {rel} n'est pas un fichier ordinaire (lien…), non sauvegardé.")
        log(f"Sauvegarde de {len(files)} fichier(s) de {media_root}…")
        manifest["media"] = {
            rel.as_posix(): {"sha256": sha256_file(media_root / rel),
                             "size": (media_root / rel).stat().st_size}
            for rel in files
        }
        try:
            _write_archive_atomically(output, manifest, dump, media_root, files)
        except OSError as exc:
            raise BackupError(f"Écriture de l'archive impossible : {exc}") from exc
    return manifest


def _anonymous_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Members carry no owner of the backed-up server and are private."""
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o700 if info.isdir() else 0o600
    return info


def _write_archive_atomically(output, manifest, dump, media_root, files) -> None:
    # mkstemp creates the file readable by its owner only: the archive holds
    # health data.
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mtime = len(data), int(timezone.now().timestamp())
                tar.addfile(_anonymous_member(info), io.BytesIO(data))
                tar.add(dump, arcname=manifest["database"]["file"], filter=_anonymous_member)
                for rel in files:
                    arcname = f"{MEDIA_PREFIX}/{rel.as_posix()}"
                    tar.add(media_root / rel, arcname=arcname, filter=_anonymous_member)
            raw.flush()
            os.fsync(raw.fileno())
        # A hard link never replaces an existing file, unlike a rename.
        try:
            os.link(tmp, output)
        except FileExistsError as exc:
            raise BackupError(f"Le fichier {output} existe déjà : choisissez un autre nom.") from exc
        except OSError:
            if output.exists():
                raise BackupError(f"Le fichier {output} existe déjà : choisissez un autre nom.") from None
            os.rename(tmp, output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# --------------------------------------------------------------------------
# Restore


def _safe_member_path(member: tarfile.TarInfo, dest: Path) -> Path | None:
    """Where a member may be extracted, or BackupError when it is unsafe."""
    name = member.name
    path = PurePosixPath(name)
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or path.is_absolute()
        or any(part in ("..", "") for part in name.rstrip("/").split("/"))
    ):
        raise BackupError(f"Archive refusée : chemin dangereux « {name} ».")
    if not path.parts or "." in name.rstrip("/").split("/"):
        # `tar -C dir .` writes "./" and "./x" members: not an archive of
        # backup_cabinet, refused with a message rather than an IndexError.
        raise BackupError(
            f"Archive refusée : élément « {name} » inattendu (archive qui n'a pas été écrite "
            "par backup_cabinet ?)."
        )
    if not (member.isreg() or member.isdir()):
        raise BackupError(
            f"Archive refusée : « {name} » n'est pas un fichier ordinaire (lien, périphérique…)."
        )
    if hasattr(tarfile, "data_filter"):
        try:
            tarfile.data_filter(member, str(dest))
        except tarfile.FilterError as exc:
            raise BackupError(f"Archive refusée : « {name} » ({exc}).") from exc
    top = path.parts[0]
    if not (top == MEDIA_PREFIX or name in (MANIFEST_NAME, *DUMP_NAMES.values())):
        raise BackupError(f"Archive refusée : élément inattendu « {name} ».")
    target = (dest / Path(*path.parts)).resolve()
    if not target.is_relative_to(dest.resolve()):
        raise BackupError(f"Archive refusée : chemin dangereux « {name} ».")
    return None if member.isdir() else target


def extract_archive(archive: Path, dest: Path) -> dict:
    """Extracts `archive` into `dest` after checking every member; returns the manifest."""
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Archive illisible : {archive} ({exc}).") from exc
    with tar:
        try:
            members = tar.getmembers()
            # Every member is checked before anything is written.
            targets = [(m, _safe_member_path(m, dest)) for m in members]
            for member, target in targets:
                if target is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                with source, open(target, "xb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(f"Archive illisible ou tronquée : {archive} ({exc}).") from exc
    manifest_path = dest / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupError("Archive refusée : pas de manifest.json.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"manifest.json illisible : {exc}.") from exc
    if manifest.get("format") != FORMAT_VERSION or manifest.get("vendor") not in DUMP_NAMES:
        raise BackupError("manifest.json d'un format inconnu : archive refusée.")
    if not isinstance(manifest.get("database"), dict) or manifest["database"].get(
        "file"
    ) != DUMP_NAMES[manifest["vendor"]]:
        raise BackupError("manifest.json incohérent (copie de la base) : archive refusée.")
    if not isinstance(manifest.get("media"), dict) or not isinstance(manifest.get("tables"), dict):
        raise BackupError("manifest.json incomplet : archive refusée.")
    for rel in manifest["media"]:
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(part in ("", ".", "..") for part in parts):
            raise BackupError(f"Archive refusée : chemin dangereux « {rel} » dans le manifeste.")
    return manifest


def check_media(root: Path, expected: dict, *, exact: bool = False) -> list[str]:
    """Differences between the files under `root` and the manifest's; with
    `exact`, files the manifest does not list are differences too."""
    problems = []
    if exact:
        found, skipped = media_files(root)
        for rel in sorted({p.as_posix() for p in found + skipped} - set(expected)):
            problems.append(f"fichier absent du manifeste : {rel}")
    for rel, meta in sorted(expected.items()):
        path = root / PurePosixPath(rel)
        if not path.is_file():
            problems.append(f"fichier manquant : {rel}")
        elif sha256_file(path) != meta["sha256"]:
            problems.append(f"fichier modifié (SHA-256 différent) : {rel}")
    return problems


def check_rows(db: Database, expected: dict) -> list[str]:
    conn = db.connect()
    try:
        actual = row_counts(conn, db.vendor, sorted(expected))
    finally:
        conn.close()
    problems = []
    for table, count in sorted(expected.items()):
        if actual[table] == -1:
            problems.append(f"table manquante : {table}")
        elif actual[table] != count:
            problems.append(f"table {table} : {actual[table]} ligne(s) au lieu de {count}")
    return problems


def target_is_empty(db: Database, media_root: Path) -> tuple[bool, bool]:
    """(database empty, media root empty)."""
    conn = db.connect()
    try:
        db_empty = not has_user_tables(conn, db.vendor)
    finally:
        conn.close()
    media_empty = not media_root.exists() or not any(media_root.iterdir())
    return db_empty, media_empty


def restore_database(db: Database, dump: Path) -> None:
    if db.vendor == "sqlite":
        if db.is_memory:
            raise BackupError("Restauration impossible dans une base SQLite en mémoire.")
        Path(db.name).parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        target = sqlite3.connect(db.name)
        try:
            # The backup API replaces the whole target database in one
            # transaction (journal and WAL included): a failure leaves it as it was.
            source.backup(target)
            problem = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if problem != "ok":
            raise BackupError(f"Base SQLite restaurée corrompue : {problem}.")
        return
    pg_restore = require_tool("pg_restore")
    run_tool(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
         *db.pg_args(), str(dump)],
        db.pg_env(),
    )


def restore_media(staging: Path, media_root: Path, files: dict) -> None:
    """Copies the files into `media_root`, each replaced atomically."""
    for rel in sorted(files):
        source = staging / PurePosixPath(rel)
        target = media_root / PurePosixPath(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp_name)
            os.replace(tmp_name, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)


# --------------------------------------------------------------------------
# Encryption (age, through pyrage): backups hold health data


AGE_MAGIC = b"age-encryption.org/v1"


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(AGE_MAGIC)) == AGE_MAGIC


def _key_lines(spec: str) -> list[str]:
    """An age key given directly, or a file of keys (one per line, # comments)."""
    if spec.startswith(("age1", "AGE-SECRET-KEY-", "ssh-")):
        return [spec.strip()]
    path = Path(spec).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(f"Fichier de clé illisible : {path} ({exc}).") from exc
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise BackupError(f"Aucune clé dans {path}.")
    return lines


def load_recipients(specs: list[str]) -> list:
    """age public keys (age1…), ssh public keys, or files of them; an age
    identity file is accepted too (its public key is used)."""
    import pyrage

    recipients = []
    for spec in specs:
        for line in _key_lines(spec):
            try:
                if line.startswith("AGE-SECRET-KEY-"):
                    recipients.append(pyrage.x25519.Identity.from_str(line).to_public())
                elif line.startswith("ssh-"):
                    recipients.append(pyrage.ssh.Recipient.from_str(line))
                else:
                    recipients.append(pyrage.x25519.Recipient.from_str(line))
            except (pyrage.RecipientError, pyrage.IdentityError, ValueError) as exc:
                raise BackupError(f"Clé publique invalide : « {line[:20]}… » ({exc}).") from exc
    if not recipients:
        raise BackupError("Aucun destinataire pour le chiffrement.")
    return recipients


def load_identities(specs: list[str]) -> list:
    import pyrage

    identities = []
    for spec in specs:
        for line in _key_lines(spec):
            try:
                identities.append(pyrage.x25519.Identity.from_str(line))
            except (pyrage.IdentityError, ValueError) as exc:
                raise BackupError("Clé privée age invalide (AGE-SECRET-KEY-…).") from exc
    return identities


def encrypt_file(plain: Path, output: Path, recipients: list) -> None:
    """`plain` → `output` (age format, streamed), never replacing a file."""
    import pyrage

    output = Path(output)
    if output.exists() or output.is_symlink():
        raise BackupError(f"Le fichier {output} existe déjà : choisissez un autre nom.")
    fd, tmp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            pyrage.encrypt_file(str(plain), str(tmp), recipients)
        except pyrage.EncryptError as exc:
            raise BackupError(f"Chiffrement impossible : {exc}.") from exc
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, output)
        except FileExistsError as exc:
            raise BackupError(f"Le fichier {output} existe déjà : choisissez un autre nom.") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def decrypt_file(encrypted: Path, dest: Path, identities: list) -> None:
    import pyrage

    if not identities:
        raise BackupError(
            "Archive chiffrée : donnez la clé privée age avec --identity (fichier AGE-SECRET-KEY-…)."
        )
    try:
        pyrage.decrypt_file(str(encrypted), str(dest), identities)
    except pyrage.DecryptError as exc:
        raise BackupError(f"Déchiffrement impossible : {exc} (mauvaise clé ou archive altérée).") \
            from exc
