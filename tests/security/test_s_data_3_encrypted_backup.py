"""S-DATA-3: backups of health data are encrypted (age, through pyrage): the
archive is unreadable without the key, restore decrypts and then verifies
every row and file; a plain archive is refused in production unless asked
for. A replaced prescription scan is kept on purpose, named by the version
history, and so backed up."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pyrage
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from cabinet.models import Prescription
from cabinet.services.prescriptions import save_prescription
from core.models import RecordVersion
from tests.core.test_backup import (  # noqa: F401 - fixtures
    add_uploaded_files,
    pg_tools,
    restore,
    scratch,
    table_digests,
    tree,
)

PDF = b"%PDF-1.4\n% scan\n"


def _keys(tmp_path: Path) -> tuple[str, Path]:
    identity = pyrage.x25519.Identity.generate()
    key_file = tmp_path / "cle-cabinet.txt"
    key_file.write_text(f"# clé de sauvegarde\n{identity}\n")
    return str(identity.to_public()), key_file


def test_s_data_3_backup_is_encrypted_and_restore_decrypts_and_verifies(
    transactional_demo, settings, tmp_path, scratch  # noqa: F811
):
    media = Path(settings.MEDIA_ROOT)
    add_uploaded_files(media)
    recipient, key_file = _keys(tmp_path)
    archive = tmp_path / "cabinet.tar.gz.age"
    out = io.StringIO()
    call_command("backup_cabinet", str(archive), encrypt=[recipient], stdout=out)
    assert "chiffrée (age)" in out.getvalue()
    data = archive.read_bytes()
    assert data.startswith(b"age-encryption.org/v1")
    with pytest.raises(tarfile.TarError):
        tarfile.open(archive, "r:gz").getmembers()
    assert b"Girard" not in data and b"manifest" not in data
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert not list(tmp_path.glob(".cabinet-backup-*"))  # no clear copy left behind

    with pytest.raises(CommandError, match="--identity"):
        restore(archive, scratch)
    wrong = tmp_path / "autre-cle.txt"
    wrong.write_text(str(pyrage.x25519.Identity.generate()))
    with pytest.raises(CommandError, match="Déchiffrement impossible"):
        call_command("restore_cabinet", str(archive), database_url=scratch.url,
                     media_root=str(scratch.media), identity=[str(wrong)], stdout=io.StringIO())

    out = io.StringIO()
    call_command("restore_cabinet", str(archive), database_url=scratch.url,
                 media_root=str(scratch.media), identity=[str(key_file)], stdout=out)
    assert "Restauration vérifiée" in out.getvalue()
    assert tree(scratch.media) == tree(media)


def test_s_data_3_plain_backup_refused_in_production(db, settings, tmp_path):
    settings.BACKUP_PLAIN_ALLOWED = False
    settings.BACKUP_RECIPIENTS = []
    with pytest.raises(CommandError, match="données de santé"):
        call_command("backup_cabinet", str(tmp_path / "clair.tar.gz"), stdout=io.StringIO())
    assert not (tmp_path / "clair.tar.gz").exists()


def test_s_data_3_replaced_prescription_scan_is_kept_with_the_version_naming_it(
    personas, settings
):
    from cabinet.forms.prescriptions import ActFormSet

    prescription = Prescription.objects.order_by("pk").first()
    prescription.file.save("scan-1.pdf", ContentFile(PDF))
    old_name = prescription.file.name
    prescription.file.save("scan-2.pdf", ContentFile(PDF + b"v2"), save=False)
    formset = ActFormSet({"acts-TOTAL_FORMS": "0", "acts-INITIAL_FORMS": "0"},
                         instance=prescription, prefix="acts")
    formset.is_valid()  # no act changed: only the scan is replaced
    save_prescription(acting_user=personas.claire, prescription=prescription, formset=formset,
                      expected_version=prescription.row_version)
    version = RecordVersion.objects.filter(
        object_type="cabinet.Prescription", object_id=str(prescription.pk)).latest("pk")
    assert version.values["previous_file"] == old_name
    assert version.event.detail["fields"] == ["file", "previous_file"]
    assert (Path(settings.MEDIA_ROOT) / old_name).is_file()
