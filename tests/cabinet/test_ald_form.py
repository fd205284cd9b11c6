"""cabinet:ald_create / ald_edit — validity derived from the rules, bad dates refused."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cabinet.models import Ald, Medecin
from tests.cabinet.helpers import claire_ald, claire_patient, julie_patient


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


def _ald_data(**over):
    data = {"ald_number": "8", "exonerante": "on", "procedure": "standard",
            "decision": "pending"}
    data.update(over)
    return data


def test_r_ald_7_decision_date_in_the_future_or_without_decision_is_refused(personas):
    patient = claire_patient()
    today = timezone.localdate()
    url = reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk})
    client = personas.client("nadia")
    count = Ald.objects.count()
    response = client.post(url, _ald_data(
        decision="accepted", sent_at=today.isoformat(),
        decision_at=(today + timedelta(days=30)).isoformat()))
    assert response.status_code == 400
    assert "décision est dans le futur" in response.context["form"].errors["decision_at"][0]
    response = client.post(url, _ald_data(sent_at=today.isoformat(),
                                          decision_at=today.isoformat()))
    assert response.status_code == 400
    assert "sans décision" in response.context["form"].errors["decision_at"][0]
    assert Ald.objects.count() == count


def test_r_ald_8_validity_start_out_of_range_is_refused_at_the_field(personas):
    patient = claire_patient()
    url = reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk})
    client = personas.client("nadia")
    count = Ald.objects.count()
    response = client.post(url, _ald_data(procedure="derogatoire", valid_from="9999-12-31"))
    assert response.status_code == 400
    assert "plus d'un an" in response.context["form"].errors["valid_from"][0]
    before_birth = (patient.birth_date - timedelta(days=1)).isoformat()
    response = client.post(url, _ald_data(valid_from=before_birth, validity_years="5"))
    assert response.status_code == 400
    assert "naissance" in response.context["form"].errors["valid_from"][0]
    assert Ald.objects.count() == count


def test_r_ald_3_standard_protocol_not_by_the_medecin_traitant_warns(personas):
    patient = claire_patient()
    other = Medecin.objects.exclude(pk=patient.medecin_traitant_id).first()
    today = timezone.localdate()
    response = personas.client("nadia").post(
        reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk}),
        _ald_data(ald_number="16", established_by=other.pk, sent_at=today.isoformat(),
                  valid_from=today.isoformat(), validity_years="5"), follow=True)
    assert response.status_code == 200
    assert Ald.objects.filter(patient=patient, ald_number=16, established_by=other).exists()
    assert "R-ALD-3" in response.content.decode()


def test_r_ald_9_derogatory_by_the_medecin_traitant_warns(personas):
    patient = claire_patient()
    today = timezone.localdate()
    response = personas.client("nadia").post(
        reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk}),
        _ald_data(ald_number="16", procedure="derogatoire",
                  established_by=patient.medecin_traitant_id, sent_at=today.isoformat(),
                  valid_from=today.isoformat()), follow=True)
    assert response.status_code == 200
    assert "réservée au diagnostic posé" in response.content.decode()


def test_remplacante_reads_but_does_not_edit_the_ald_of_her_patient(personas):
    """Her own patient: read-only (403); claire's patient: foreign (404)."""
    patient = julie_patient()
    ald = Ald.objects.create(patient=patient, ald_number=8, label="Diabète")
    count = Ald.objects.filter(patient=patient).count()
    client = personas.client("julie")
    assert client.get(reverse("cabinet:patient_detail", kwargs={"pk": patient.pk})
                      ).status_code == 200
    assert client.get(reverse("cabinet:ald_edit", kwargs={"pk": ald.pk})).status_code == 403
    assert client.post(reverse("cabinet:ald_create", kwargs={"patient_pk": patient.pk}),
                       _ald_data()).status_code == 403
    assert client.get(reverse("cabinet:ald_edit", kwargs={"pk": claire_ald().pk})
                      ).status_code == 404
    assert Ald.objects.filter(patient=patient).count() == count


def test_r_ald_4_r_ald_5_r_ald_6_r_ald_11_patient_page_shows_the_protocol(personas):
    patient = claire_patient()
    today = timezone.localdate()
    Ald.objects.create(
        patient=patient, ald_number=25, label="Sclérose en plaques", electronic=True,
        sent_at=today, related_care="Injections selon protocole", patient_volet_seen_at=today)
    body = personas.client("claire").get(
        reverse("cabinet:patient_detail", kwargs={"pk": patient.pk})).content.decode()
    assert "protocole électronique (PSE)" in body
    assert "Soins en rapport : Injections selon protocole" in body
    assert f"présenté le {today:%d/%m/%Y}" in body
