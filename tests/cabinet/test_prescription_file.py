"""Prescription scans: S-DATA-4 (type by magic bytes, size), served only
through the authorised view, each display logged (S-TRACE-1)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cabinet.models import Prescription
from core.models import AuditEvent
from tests.cabinet.helpers import claire_prescription
from tests.security.test_s_data_2_concurrent_saves import resend

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post(client, prescription, upload):
    url = reverse("cabinet:prescription_edit", kwargs={"pk": prescription.pk})
    return resend(client, url, file=upload)


def test_s_data_4_s_trace_1_upload_pdf_then_download_is_logged(personas):
    prescription = claire_prescription()
    client = personas.client("nadia")
    response = _post(client, prescription, SimpleUploadedFile("ordo.pdf", PDF, "application/pdf"))
    assert response.status_code == 302, response.content.decode()[:2000]
    prescription.refresh_from_db()
    assert prescription.file.name.startswith("ordonnances/")
    url = reverse("cabinet:prescription_file", kwargs={"pk": prescription.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.filter(view="cabinet:prescription_file").first()
    assert event.actor == personas.nadia and event.patient_id == prescription.patient_id
    # A remplaçante who does not see this patient cannot fetch the file.
    assert personas.client("julie").get(url).status_code == 404


def test_s_data_4_wrong_type_is_refused_and_nothing_saved(personas):
    prescription = claire_prescription()
    fake = SimpleUploadedFile("ordo.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = _post(personas.client("nadia"), prescription, fake)
    assert response.status_code == 400
    assert "seuls les PDF et les images JPEG" in response.content.decode()
    assert not Prescription.objects.get(pk=prescription.pk).file


def test_s_data_4_too_large_is_refused(personas, settings):
    prescription = claire_prescription()
    big = SimpleUploadedFile("ordo.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    response = _post(personas.client("nadia"), prescription, big)
    assert response.status_code == 400
    assert "trop volumineux" in response.content.decode()


def test_no_file_is_404(personas):
    url = reverse("cabinet:prescription_file", kwargs={"pk": claire_prescription().pk})
    assert personas.client("claire").get(url).status_code == 404
