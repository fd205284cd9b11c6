"""cabinet:patient_access_log — S-TRACE-1: the administrator reads who saw
a patient's record and files; nobody else may."""

from django.urls import reverse

from tests.cabinet.helpers import claire_patient, claire_prescription


def test_admin_reads_the_access_log_per_patient(personas):
    patient = claire_patient()
    personas.client("nadia").get(reverse("cabinet:patient_detail", kwargs={"pk": patient.pk}))
    personas.client("claire").get(
        reverse("cabinet:prescription_detail", kwargs={"pk": claire_prescription().pk}))
    response = personas.client("admin").get(
        reverse("cabinet:patient_access_log", kwargs={"pk": patient.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nadia Benali" in body and "cabinet:patient_detail" in body
    assert "Claire Martin" in body and "cabinet:prescription_detail" in body
    # The administrator sees no clinical data on this page.
    assert patient.clinical_notes not in body


def test_only_the_admin_reads_it(personas):
    url = reverse("cabinet:patient_access_log", kwargs={"pk": claire_patient().pk})
    for name in ("claire", "julie", "nadia"):
        assert personas.client(name).get(url).status_code == 403


def test_bad_id(personas):
    url = reverse("cabinet:patient_access_log", kwargs={"pk": 999999})
    assert personas.client("admin").get(url).status_code == 404


def test_admin_finds_a_patient_for_the_log(personas):
    response = personas.client("admin").get(reverse("cabinet:access_log_index"), {"q": "girard"})
    assert response.status_code == 200
    body = response.content.decode()
    patient = claire_patient()
    assert reverse("cabinet:patient_access_log", kwargs={"pk": patient.pk}) in body
    assert patient.nir not in body and patient.address not in body
    assert personas.client("nadia").get(reverse("cabinet:access_log_index")).status_code == 403
