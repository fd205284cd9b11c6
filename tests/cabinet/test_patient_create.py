"""A secretary creates a patient, a prescription and a care plan; the visits
appear in the coming days. Bad input is refused at the field, nothing saved."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from stdnum.fr import nir as stdnum_nir

from cabinet.models import Patient, PatientVersion, Visit
from tests.cabinet.helpers import a_medecin, claire_patient


def _patient_data(**over):
    body = "2680537261555"
    data = {
        "last_name": "Étienne", "first_name": "Lucie", "birth_date": "1968-05-04", "sex": "F",
        "nir": body + stdnum_nir.calc_check_digits(body), "address": "10 rue Colbert",
        "postcode": "37000", "city": "Tours", "phone": "02 47 11 22 33",
        "amo_regime": "Régime général", "bsi_level": "", "clinical_notes": "",
    }
    data.update(over)
    return data


def test_secretary_creates_patient_prescription_and_care_plan(personas):
    client = personas.client("nadia")
    response = client.post(reverse("cabinet:patient_create"), _patient_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    patient = Patient.objects.get(last_name="Étienne")
    assert patient.geocode_status == "ok" and patient.latitude is not None
    assert patient.search_text.startswith("etienne lucie")

    today = timezone.localdate()
    response = client.post(reverse("cabinet:prescription_create",
                                   kwargs={"patient_pk": patient.pk}), {
        "prescriber": a_medecin().pk, "date": today.isoformat(),
        "start_date": today.isoformat(), "duration_days": "30", "at_home": "on",
        "acts-TOTAL_FORMS": "3", "acts-INITIAL_FORMS": "0", "acts-MIN_NUM_FORMS": "0",
        "acts-MAX_NUM_FORMS": "20",
        "acts-0-catalogue_id": "XVI-2-5BIS-INSULINE", "acts-0-ald_zone": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    prescription = patient.prescriptions.get()
    act = prescription.acts.get()
    assert act.key == "AMI" and act.label.startswith("Injection")
    assert response["Location"].endswith(
        reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk}))

    response = client.post(response["Location"], {
        "label": "Insuline", "acts": [act.pk], "nurse": personas.claire.pk,
        "start_date": today.isoformat(), "end_date": (today + timedelta(days=13)).isoformat(),
        "recurrence": "daily", "interval_days": "1", "times_text": "08:00, 19h",
        "window_before_min": "30", "window_after_min": "30", "duration_min": "15",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    visits = Visit.objects.filter(patient=patient)
    assert visits.count() == 28
    assert visits.filter(date=today + timedelta(days=1), slot="19:00",
                         nurse=personas.claire).exists()


def test_invalid_nir_is_refused_at_the_field_and_nothing_saved(personas):
    count = Patient.objects.count()
    response = personas.client("nadia").post(reverse("cabinet:patient_create"),
                                             _patient_data(nir="268053726155599"))
    assert response.status_code == 400
    assert "Clé du NIR incorrecte" in response.content.decode()
    assert Patient.objects.count() == count


def test_nir_inconsistent_with_sex(personas):
    response = personas.client("nadia").post(reverse("cabinet:patient_create"),
                                             _patient_data(sex="M"))
    assert "sexe" in response.content.decode()


def test_unknown_street_leaves_patient_saved_with_warning(personas):
    response = personas.client("nadia").post(
        reverse("cabinet:patient_create"), _patient_data(address="5 impasse Inconnue"),
        follow=True)
    patient = Patient.objects.get(last_name="Étienne")
    assert patient.geocode_status == "failed" and patient.latitude is None
    assert "non localisée" in response.content.decode()


def test_dates_in_wrong_order(personas):
    response = personas.client("nadia").post(
        reverse("cabinet:patient_create"),
        _patient_data(bsi_level="BSA", bsi_date="1960-01-01"))
    assert "précède la naissance" in response.content.decode()


def test_s_trace_2_edit_keeps_previous_version_and_author(personas):
    patient = claire_patient()
    client = personas.client("nadia")
    url = reverse("cabinet:patient_edit", kwargs={"pk": patient.pk})
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "clinical_notes"}
    data.update({"birth_date": patient.birth_date.isoformat(), "phone": "02 47 99 99 99",
                 "medecin_traitant": patient.medecin_traitant_id,
                 "referent_nurse": patient.referent_nurse_id,
                 "row_version": patient.row_version})
    for key in ("mdph_date", "bsi_date"):
        if data.get(key):
            data[key] = data[key].isoformat()
    for key in ("amc_tiers_payant", "mdph_handicap", "is_active"):
        if not data.get(key):
            data.pop(key, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = PatientVersion.objects.get(patient=patient)
    assert version.author == personas.nadia and "phone" in version.changed_fields
    assert version.snapshot["phone"] == patient.phone
    patient.refresh_from_db()
    # S-AUTHZ-1: the secretary's form did not wipe the clinical notes.
    assert patient.clinical_notes and patient.phone == "02 47 99 99 99"
    # S-DATA-2: posting the stale form again is refused.
    response = client.post(url, data)
    assert response.status_code == 409
