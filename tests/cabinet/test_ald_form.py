"""cabinet:ald_create / ald_edit — validity derived from the rules, bad dates refused."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cabinet.models import Ald
from tests.cabinet.helpers import claire_ald, claire_patient


def test_create_derogatory_ald_sets_six_month_deadline(personas):
    patient = claire_patient()
    start = timezone.localdate() - timedelta(days=10)
    response = personas.client("nadia").post(
        reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk}), {
            "ald_number": "30", "exonerante": "on", "procedure": "derogatoire",
            "sent_at": start.isoformat(), "decision": "accepted",
            "decision_at": start.isoformat(), "valid_from": start.isoformat(),
        })
    assert response.status_code == 302, response.content.decode()[:2000]
    ald = Ald.objects.get(patient=patient, ald_number=30)
    assert ald.label.startswith("Tumeur maligne")
    assert (ald.valid_to - start).days in range(180, 185)


def test_decision_before_sending_is_refused(personas):
    patient = claire_patient()
    today = timezone.localdate()
    count = Ald.objects.count()
    response = personas.client("nadia").post(
        reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk}), {
            "ald_number": "8", "exonerante": "on", "procedure": "standard",
            "sent_at": today.isoformat(), "decision": "accepted",
            "decision_at": (today - timedelta(days=3)).isoformat(),
            "valid_from": today.isoformat(), "validity_years": "5",
        })
    assert response.status_code == 400
    assert "ne peut pas précéder" in response.content.decode()
    assert Ald.objects.count() == count


def test_standard_protocol_needs_a_duration(personas):
    today = timezone.localdate()
    response = personas.client("claire").post(
        reverse("cabinet:ald_create", kwargs={"patient_pk": claire_patient().pk}), {
            "ald_number": "8", "exonerante": "on", "procedure": "standard",
            "sent_at": today.isoformat(), "decision": "pending",
            "valid_from": today.isoformat(),
        })
    assert response.status_code == 400
    assert "3, 5 ou 10 ans" in response.content.decode()


def test_edit_page_and_bad_id(personas):
    client = personas.client("claire")
    assert client.get(reverse("cabinet:ald_edit", kwargs={"pk": claire_ald().pk})).status_code == 200
    assert client.get(reverse("cabinet:ald_edit", kwargs={"pk": 999999})).status_code == 404
