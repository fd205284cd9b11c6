"""cabinet:ald_volet — the scan of the patient's volet 3: checked upload,
served through the view only, each display logged (S-DATA-4, S-TRACE-1)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from tests.cabinet.helpers import claire_ald
from tests.security.test_s_data_2_concurrent_saves import resend

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _post(client, ald, upload):
    return resend(client, reverse("cabinet:ald_edit", kwargs={"pk": ald.pk}), volet_scan=upload)


def test_r_ald_4_volet_3_upload_jpeg_and_view_is_logged(personas):
    ald = claire_ald()
    client = personas.client("nadia")
    response = _post(client, ald, SimpleUploadedFile("volet.jpg", JPEG, "image/jpeg"))
    assert response.status_code == 302, response.content.decode()[:2000]
    response = personas.client("claire").get(reverse("cabinet:ald_volet", kwargs={"pk": ald.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    event = AuditEvent.objects.filter(view="cabinet:ald_volet").first()
    assert event.actor == personas.claire and event.patient_id == ald.patient_id


def test_jpeg_named_pdf_is_refused(personas):
    ald = claire_ald()
    response = _post(personas.client("nadia"), ald,
                     SimpleUploadedFile("volet.pdf", JPEG, "application/pdf"))
    assert response.status_code == 400
    assert "ne correspond pas à son contenu" in response.content.decode()


def test_bad_id(personas):
    url = reverse("cabinet:ald_volet", kwargs={"pk": 999999})
    assert personas.client("claire").get(url).status_code == 404
