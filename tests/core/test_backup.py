"""S-DATA-3: a documented backup and restore procedure restores every row and
every file.

Every restore goes into a scratch target (a second SQLite file, or on
PostgreSQL a database named after the test database plus `_restore`, created
and dropped here), never into the test database the suite uses. Rows are
compared through plain driver connections (`sqlite3` or `psycopg`), table by
table, as a hash of every row ordered by primary key.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from cabinet.models import Prescription
from core import audit, backup
from core.backup import Database

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def pg_tools():
    """On PostgreSQL the client tools are needed; only CI insists on them."""
    if on_postgresql() and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        if IN_CI:
            pytest.fail("CI must run the PostgreSQL backup tests: pg_dump/pg_restore are missing.")
        pytest.skip("needs pg_dump and pg_restore (apt-get install postgresql-client)")


@dataclass
class Scratch:
    url: str
    db: Database
    media: Path

    def tables(self) -> list[str]:
        with contextlib.closing(self.db.connect()) as conn:
            return backup.list_tables(conn, self.db.vendor)


def _pg_url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{name}"


@pytest.fixture
def scratch(tmp_path, pg_tools):
    """An empty scratch database and media folder to restore into."""
    media = tmp_path / "media-restauree"
    if not on_postgresql():
        url = f"sqlite:///{tmp_path / 'restauree.sqlite3'}"
        yield Scratch(url, Database.from_url(url), media)
        return
    import psycopg

    test_name = connection.settings_dict["NAME"]
    name = f"{test_name}_restore"
    assert name != test_name
    admin = Database.from_settings({**connection.settings_dict, "NAME": "postgres"})
    ident = psycopg.sql.Identifier(name)

    def run(statement):
        with admin.connect() as conn:
            conn.autocommit = True
            conn.execute(psycopg.sql.SQL(statement).format(ident))

    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    run("CREATE DATABASE {}")
    try:
        url = _pg_url(connection.settings_dict, name)
        yield Scratch(url, Database.from_url(url), media)
    finally:
        run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def source_db() -> Database:
    return Database.from_settings(connection.settings_dict)


def table_digests(db: Database) -> dict[str, tuple[int, str]]:
    """Per table: row count and SHA-256 of every row, ordered by primary key,
    read through a plain driver connection (not Django's)."""
    conn = db.connect()
    try:
        tables = backup.list_tables(conn, db.vendor)
        digests = {}
        with connection.cursor() as django_cursor:
            for table in tables:
                keys = connection.introspection.get_primary_key_columns(django_cursor, table)
                order = ", ".join(backup.quote_name(k) for k in keys) if keys else "1"
                cur = conn.cursor()
                cur.execute(f"SELECT * FROM {backup.quote_name(table)} ORDER BY {order}")  # noqa: S608
                digest, count = hashlib.sha256(), 0
                for row in cur.fetchall():
                    digest.update(repr(tuple(row)).encode())
                    count += 1
                digests[table] = (count, digest.hexdigest())
        return digests
    finally:
        conn.close()


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def add_uploaded_files(media: Path) -> None:
    """A prescription scan uploaded the usual way, plus other files."""
    prescription = Prescription.objects.order_by("pk").first()
    prescription.file.save("scan.pdf", ContentFile(PDF))
    (media / "documents" / "2025" / "sous dossier").mkdir(parents=True)
    (media / "documents" / "2025" / "sous dossier" / "lettre é.pdf").write_bytes(PDF[::-1])
    (media / "vide.txt").write_bytes(b"")


def make_backup(tmp_path: Path, name: str = "sauvegarde.tar.gz") -> Path:
    archive = tmp_path / name
    call_command("backup_cabinet", str(archive), stdout=io.StringIO())
    return archive


def restore(archive: Path, target: Scratch, *, yes: bool = False) -> str:
    out = io.StringIO()
    call_command(
        "restore_cabinet", str(archive), database_url=target.url,
        media_root=str(target.media), yes=yes, stdout=out,
    )
    return out.getvalue()


def rewrite_archive(archive: Path, dest: Path, change, extra: dict | None = None) -> Path:
    """A copy of `archive` where `change(name, data)` returns each member's new
    bytes, plus the `extra` members."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(dest, "w:gz") as out:
        for member in src.getmembers():
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


def edit_manifest(edit):
    """A `rewrite_archive` change that applies `edit(manifest)` to the manifest only."""

    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


# --------------------------------------------------------------------------


def test_s_data_3_restore_gives_back_every_row_and_every_file(
    transactional_demo, settings, tmp_path, scratch
):
    media = Path(settings.MEDIA_ROOT)
    add_uploaded_files(media)
    audit.record(actor=transactional_demo.admin, action="backup-test", note="avant sauvegarde")

    archive = make_backup(tmp_path)
    before = table_digests(source_db())
    output = restore(archive, scratch)

    assert table_digests(scratch.db) == before
    assert tree(scratch.media) == tree(media)
    assert "Restauration vérifiée" in output
    assert "migrations de la sauvegarde diffèrent" not in output
    # The demo data and the upload really were there to compare.
    assert before["cabinet_patient"][0] >= 40
    assert before["core_auditevent"][0] >= 1
    files = tree(media)
    assert {"vide.txt", "documents/2025/sous dossier/lettre é.pdf"} <= set(files)
    assert PDF in files.values(), "the uploaded prescription scan"
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds health data: owner only"
    manifest = read_manifest(archive)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"] == {table: count for table, (count, _) in before.items()}
    assert manifest["migrations"] == backup.code_migrations()
    assert manifest["media"]["vide.txt"]["sha256"] == hashlib.sha256(b"").hexdigest()
    assert manifest["created_at"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the audit trigger is PostgreSQL's")
def test_s_data_3_restored_audit_trail_stays_append_only(transactional_demo, tmp_path, scratch):
    import psycopg

    audit.record(actor=transactional_demo.admin, action="backup-test")
    restore(make_backup(tmp_path), scratch)

    with scratch.db.connect() as conn:
        assert conn.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] >= 1
        triggers = conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass "
            "AND NOT tgisinternal ORDER BY tgname"
        ).fetchall()
        assert triggers == [("core_auditevent_no_change",), ("core_auditevent_no_truncate",)]
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE core_auditevent SET action = 'x'")


def test_s_data_3_backup_never_overwrites_a_file(db, tmp_path, pg_tools):
    existing = tmp_path / "sauvegarde.tar.gz"
    existing.write_bytes(b"ancienne sauvegarde")

    with pytest.raises(CommandError, match="existe déjà"):
        call_command("backup_cabinet", str(existing), stdout=io.StringIO())

    assert existing.read_bytes() == b"ancienne sauvegarde"
    assert [p.name for p in tmp_path.iterdir() if p.name != "media"] == ["sauvegarde.tar.gz"]


def test_s_data_3_failed_backup_leaves_nothing(db, tmp_path, monkeypatch, pg_tools):
    out_dir = tmp_path / "sauvegardes"
    out_dir.mkdir()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup.os, "fsync", disk_full)
    with pytest.raises(CommandError, match="Écriture de l'archive impossible"):
        call_command("backup_cabinet", str(out_dir / "s.tar.gz"), stdout=io.StringIO())

    assert list(out_dir.iterdir()) == []


def test_s_data_3_restore_refuses_a_non_empty_target_without_yes(db, tmp_path, scratch):
    archive = make_backup(tmp_path)
    conn = scratch.db.connect() if on_postgresql() else sqlite3.connect(scratch.db.name)
    with contextlib.closing(conn):
        conn.execute("CREATE TABLE donnees_existantes (id integer primary key)")
        conn.commit()

    with pytest.raises(CommandError, match="contient déjà des tables.*--yes"):
        restore(archive, scratch)

    assert scratch.tables() == ["donnees_existantes"]
    assert not scratch.media.exists()
    assert "Restauration vérifiée" in restore(archive, scratch, yes=True)
    # Again over the restored database itself (all tables, the audit trigger).
    assert "Restauration vérifiée" in restore(archive, scratch, yes=True)


@pytest.mark.parametrize("member", ["media", "database", "extra"])
def test_s_data_3_tampered_archive_is_detected(db, settings, tmp_path, scratch, member):
    (Path(settings.MEDIA_ROOT) / "ordonnances").mkdir(parents=True)
    (Path(settings.MEDIA_ROOT) / "ordonnances" / "scan.pdf").write_bytes(PDF)
    archive = make_backup(tmp_path)
    prefix = "database." if member == "database" else "media/"

    def flip_a_byte(name, data):
        if name.startswith(prefix):
            return data[:-1] + bytes([data[-1] ^ 1])
        return data

    if member == "extra":
        # A file slipped into the archive that the manifest does not list.
        tampered = rewrite_archive(
            archive, tmp_path / "alteree.tar.gz", lambda name, data: data,
            extra={"media/ordonnances/ajout.pdf": PDF},
        )
    else:
        tampered = rewrite_archive(archive, tmp_path / "alteree.tar.gz", flip_a_byte)
    with pytest.raises(CommandError, match="Archive altérée") as excinfo:
        restore(tampered, scratch)

    if member == "media":
        assert "fichier modifié (SHA-256 différent) : ordonnances/scan.pdf" in str(excinfo.value)
    if member == "extra":
        assert "absent du manifeste : ordonnances/ajout.pdf" in str(excinfo.value)
    # Nothing was touched.
    assert scratch.tables() == []
    assert not scratch.media.exists()


def test_s_data_3_restore_checks_row_counts_against_the_manifest(db, tmp_path, scratch):
    archive = make_backup(tmp_path)

    def claim_one_more_user(manifest):
        manifest["tables"]["core_user"] += 1

    wrong = rewrite_archive(archive, tmp_path / "faux-manifeste.tar.gz", edit_manifest(claim_one_more_user))
    with pytest.raises(CommandError, match="table core_user : .* ligne"):
        restore(wrong, scratch)


def test_s_data_3_restore_refuses_another_vendor(db, tmp_path, scratch):
    archive = make_backup(tmp_path)
    other = "sqlite" if on_postgresql() else "postgresql"

    def other_vendor(manifest):
        manifest["vendor"] = other
        manifest["database"]["file"] = backup.DUMP_NAMES[other]

    foreign = rewrite_archive(archive, tmp_path / "autre.tar.gz", edit_manifest(other_vendor))
    with pytest.raises(CommandError, match="restauration refusée"):
        restore(foreign, scratch)


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink", "hardlink", "unknown"])
def test_s_data_3_unsafe_tar_member_is_refused(db, tmp_path, scratch, kind):
    victim = tmp_path / "victime.txt"
    manifest = json.dumps({"format": 1, "vendor": connection.vendor}).encode()
    archive = tmp_path / "piegee.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        if kind in ("symlink", "hardlink"):
            link = tarfile.TarInfo("media/lien")
            link.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
            link.linkname = str(victim)
            tar.addfile(link)
        else:
            name = {
                "parent": "media/../../../victime.txt",
                "absolute": str(victim),
                "unknown": "script.sh",
            }[kind]
            evil = tarfile.TarInfo(name)
            evil.size = 4
            tar.addfile(evil, io.BytesIO(b"pwnd"))

    with pytest.raises(CommandError, match="Archive refusée"):
        restore(archive, scratch)

    assert not victim.exists()
    assert not scratch.media.exists()


def test_s_data_3_unsafe_path_in_the_manifest_is_refused(db, tmp_path, scratch):
    archive = make_backup(tmp_path)

    def escape_media_root(manifest):
        manifest["media"]["../../hors-media.txt"] = {"sha256": "0" * 64, "size": 0}

    evil = rewrite_archive(archive, tmp_path / "piegee.tar.gz", edit_manifest(escape_media_root))
    with pytest.raises(CommandError, match="chemin dangereux"):
        restore(evil, scratch)
    assert scratch.tables() == []


def test_s_data_3_missing_postgresql_tools_are_named(db, tmp_path, monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    if on_postgresql():
        with pytest.raises(CommandError, match="« pg_dump » est introuvable.*postgresql-client"):
            call_command("backup_cabinet", str(tmp_path / "s.tar.gz"), stdout=io.StringIO())
        assert not (tmp_path / "s.tar.gz").exists()
    else:
        with pytest.raises(backup.BackupError, match="« pg_restore » est introuvable"):
            backup.require_tool("pg_restore")


@pytest.mark.parametrize("names", [["./"], ["./", "./manifest.json"], ["media/./x.pdf"]])
def test_s_input_1_archive_with_dot_entries_is_refused_cleanly(db, tmp_path, scratch, names):
    """An archive made with `tar -C dir .` starts with "./": a clear refusal,
    not an IndexError."""
    archive = tmp_path / "point.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            if name.endswith("/"):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = 2
                tar.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises(CommandError, match="Archive refusée"):
        restore(archive, scratch)
    assert not scratch.media.exists()


@pytest.mark.django_db
def test_s_data_3_a_migrated_database_is_at_the_code_migrations():
    """A squashed migration (recorded after the later migrations of its app) is
    not taken for the app's latest: a freshly migrated database matches the code,
    so a restore does not warn for nothing."""
    with connection.cursor():
        applied = backup.applied_migrations(connection.connection, connection.vendor)
    assert applied == backup.code_migrations()
