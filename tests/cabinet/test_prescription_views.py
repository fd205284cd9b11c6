"""cabinet:prescription_detail / prescription_create / prescription_edit —
works, ownership, bad input (bizone zone, dates), bad id."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cabinet.models import Prescription
from core.models import AuditEvent
from tests.cabinet.helpers import a_medecin, claire_patient, claire_prescription, julie_patient


def test_detail_shows_acts_and_is_logged(personas):
    prescription = claire_prescription()
    response = personas.client("nadia").get(
        reverse("cabinet:prescription_detail", kwargs={"pk": prescription.pk}))
    assert response.status_code == 200
    assert escape(prescription.acts.first().label) in response.content.decode()
    assert AuditEvent.objects.filter(view="cabinet:prescription_detail",
                                     object_id=str(prescription.pk)).exists()


def test_remplacante_reaches_only_her_patients_prescriptions(personas):
    client = personas.client("julie")
    own = Prescription.objects.filter(patient=julie_patient()).first()
    assert client.get(reverse("cabinet:prescription_detail", kwargs={"pk": own.pk})).status_code == 200
    other = claire_prescription()
    assert client.get(reverse("cabinet:prescription_detail",
                              kwargs={"pk": other.pk})).status_code == 404


def _post(client, patient, **over):
    today = timezone.localdate()
    data = {
        "prescriber": a_medecin().pk, "date": today.isoformat(), "start_date": today.isoformat(),
        "duration_days": "30", "acts-TOTAL_FORMS": "1", "acts-INITIAL_FORMS": "0",
        "acts-MIN_NUM_FORMS": "0", "acts-MAX_NUM_FORMS": "20",
        "acts-0-key": "AMI", "acts-0-coefficient": "2", "acts-0-label": "Pansement courant",
        "acts-0-ald_zone": "",
    }
    data.update(over)
    return client.post(reverse("cabinet:prescription_create", kwargs={"patient_pk": patient.pk}),
                       data)


def test_r_ald_12_bizone_needs_a_zone_per_act(personas):
    patient = claire_patient()
    count = Prescription.objects.count()
    response = _post(personas.client("claire"), patient, bizone="on")
    assert response.status_code == 400
    assert "zone haute" in response.content.decode()
    response = _post(personas.client("claire"), patient, **{"acts-0-ald_zone": "upper"})
    assert "réservée aux ordonnances bizones" in response.content.decode()
    assert Prescription.objects.count() == count
    response = _post(personas.client("claire"), patient, bizone="on",
                     **{"acts-0-ald_zone": "upper"})
    assert response.status_code == 302
    assert Prescription.objects.count() == count + 1


def test_start_before_prescription_date_is_refused(personas):
    today = timezone.localdate()
    response = _post(personas.client("claire"), claire_patient(),
                     start_date=(today - timedelta(days=3)).isoformat())
    assert "ne peut pas précéder" in response.content.decode()


def test_unknown_catalogue_act_is_refused(personas):
    response = _post(personas.client("claire"), claire_patient(),
                     **{"acts-0-catalogue_id": "XVI-9-9-NOPE"})
    assert response.status_code == 400
    assert "introuvable dans la nomenclature" in response.content.decode()


def test_no_act_is_refused(personas):
    response = _post(personas.client("claire"), claire_patient(),
                     **{"acts-0-key": "", "acts-0-coefficient": "", "acts-0-label": ""})
    assert "au moins un acte" in response.content.decode()


def test_act_search_lists_catalogue_acts(personas):
    response = personas.client("nadia").get(reverse("cabinet:act_search"),
                                            {"acts-0-catalogue_id": "insuline"})
    assert response.status_code == 200
    assert 'value="XVI-2-5BIS-INSULINE"' in response.content.decode()


def test_bad_ids(personas):
    client = personas.client("claire")
    for name in ("prescription_detail", "prescription_edit", "prescription_file"):
        assert client.get(reverse(f"cabinet:{name}", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("cabinet:prescription_create",
                              kwargs={"patient_pk": 999999})).status_code == 404


def test_r_ald_12_r_ald_13_prescription_and_ald_coherence_warnings(personas):
    from cabinet.models import Patient

    client = personas.client("claire")
    patient = claire_patient()
    assert any(ald.status.covers for ald in patient.alds.all())
    response = _post(client, patient)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "demandez une ordonnance bizone (R-ALD-12)" in body

    without_ald = Patient.objects.filter(alds__isnull=True).first()
    response = _post(client, without_ald, bizone="on", **{"acts-0-ald_zone": "upper"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "aucune ALD exonérante valide" in body
