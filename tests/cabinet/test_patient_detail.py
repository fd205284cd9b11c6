"""cabinet:patient_detail — works, constant query count, S-AUTHZ-1 (no clinical
notes for the secrétaire), S-TRACE-1 (each display logged), ownership, bad id."""

from django.urls import reverse

from core.models import AuditEvent
from tests.cabinet.helpers import claire_patient, julie_patient


def _url(patient):
    return reverse("cabinet:patient_detail", kwargs={"pk": patient.pk})


def test_patient_page_shows_identity_coverage_ald_and_visits(personas):
    patient = claire_patient()
    response = personas.client("claire").get(_url(patient))
    assert response.status_code == 200
    body = response.content.decode()
    assert patient.last_name.upper() in body
    assert "ALD 8" in body and "Accepté" in body
    assert "Médecin traitant" in body
    assert "Notes cliniques" in body and patient.clinical_notes in body
    assert "Insuline" in body


def test_patient_page_query_count_is_constant(personas, django_assert_max_num_queries):
    """15: session, user, the user's second-factor devices (django-otp), the
    patient (visibility, médecin traitant, nurse in one query), ALD,
    prescriptions, their acts, care plans, visits, the audit row, the session
    save and the request's savepoints — the same count whatever the
    patient's history."""
    client = personas.client("claire")
    client.get(_url(claire_patient()))  # warm the session
    counts = []
    for patient in (claire_patient(), julie_patient()):
        with django_assert_max_num_queries(15) as ctx:
            assert client.get(_url(patient)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_s_authz_1_secretary_sees_no_clinical_notes(personas):
    patient = claire_patient()
    response = personas.client("nadia").get(_url(patient))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Notes cliniques" not in body
    assert patient.clinical_notes not in body
    assert patient.nir in body  # administrative data


def test_s_trace_1_each_display_is_logged(personas):
    patient = claire_patient()
    before = AuditEvent.objects.filter(patient_id=patient.pk, action="view").count()
    personas.client("nadia").get(_url(patient))
    event = AuditEvent.objects.filter(patient_id=patient.pk, action="view").first()
    assert AuditEvent.objects.filter(patient_id=patient.pk, action="view").count() == before + 1
    assert event.actor == personas.nadia and event.view == "cabinet:patient_detail"


def test_s_authz_2_a_titulaire_sees_every_patient_of_the_cabinet(personas):
    assert personas.client("marc").get(_url(claire_patient())).status_code == 200


def test_s_authz_3_remplacante_sees_only_patients_of_her_visits(personas):
    client = personas.client("julie")
    assert client.get(_url(julie_patient())).status_code == 200
    assert client.get(_url(claire_patient())).status_code == 404


def test_admin_has_no_patient_data(personas):
    assert personas.client("admin").get(_url(claire_patient())).status_code == 403


def test_bad_id_is_404(personas):
    response = personas.client("claire").get(reverse("cabinet:patient_detail", kwargs={"pk": 999999}))
    assert response.status_code == 404
