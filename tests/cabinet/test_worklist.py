"""cabinet:worklist — prescriptions ending while care is planned, BSI due,
ALD protocols near a deadline; the renewal request."""

from django.urls import reverse

from cabinet.models import Prescription
from core.models import AuditEvent
from tests.cabinet.helpers import julie_patient


def test_worklist_lists_prescriptions_bsi_and_alds(personas):
    response = personas.client("nadia").get(reverse("cabinet:worklist"))
    assert response.status_code == 200
    work = response.context["work"]
    assert work.prescriptions and work.bsi and work.alds
    for prescription, _last in work.prescriptions:
        assert prescription.end_date <= work.horizon
    states = {st.state for _, st in work.alds}
    assert "pending" in states or "draft" in states


def test_worklist_of_the_remplacante_is_limited_to_her_patients(personas):
    response = personas.client("julie").get(reverse("cabinet:worklist"))
    work = response.context["work"]
    allowed = {julie_patient().pk} | set(
        personas.julie.visits.values_list("patient_id", flat=True))
    assert all(p.patient_id in allowed for p, _ in work.prescriptions)


def test_renewal_request_is_recorded(personas):
    prescription = Prescription.objects.filter(care_plans__isnull=False).first()
    response = personas.client("nadia").post(
        reverse("cabinet:prescription_renewal", kwargs={"pk": prescription.pk}))
    assert response.status_code == 302
    prescription.refresh_from_db()
    assert prescription.renewal_requested_at is not None
    assert AuditEvent.objects.filter(action="prescription.renewal_request",
                                     object_id=str(prescription.pk)).exists()


def test_renewal_request_needs_post(personas):
    prescription = Prescription.objects.first()
    response = personas.client("nadia").get(
        reverse("cabinet:prescription_renewal", kwargs={"pk": prescription.pk}))
    assert response.status_code == 405


def test_renewal_letter_goes_through_the_documents_pipeline(personas):
    from cabinet.letters import RENEWAL_KIND
    from documents.models import GeneratedDocument

    prescription = Prescription.objects.filter(care_plans__isnull=False).first()
    response = personas.client("nadia").post(
        reverse("cabinet:prescription_renewal", kwargs={"pk": prescription.pk}))
    document = GeneratedDocument.objects.get(kind=RENEWAL_KIND, object_id=prescription.pk)
    assert response["Location"] == reverse("documents:detail", kwargs={"pk": document.pk})
    assert document.patient_id == prescription.patient_id
    data = document.context["data"]
    assert data["recipient"]["name"].endswith(prescription.prescriber.last_name)
    assert prescription.patient.last_name.upper() in data["subject"]


def test_patient_letters_batch_for_a_titulaire(personas):
    from cabinet.letters import my_patients

    patients = my_patients(personas.claire)
    assert patients and all(p.referent_nurse == personas.claire for p in patients)
    assert my_patients(personas.nadia) == []


def test_renewal_letter_renders_to_pdf(personas):
    from cabinet.letters import TEMPLATE, renewal_context
    from documents.context import freeze
    from documents.rendering import render_pdf
    from documents.services import letterhead

    prescription = Prescription.objects.filter(care_plans__isnull=False).first()
    frozen = freeze({"cabinet": letterhead(), "data": renewal_context(prescription)})
    pdf = render_pdf(TEMPLATE, frozen, {"requested_at": prescription.created_at})
    assert pdf.startswith(b"%PDF")


def test_ald_letter_to_the_medecin_traitant(personas):
    from cabinet.letters import ALD_KIND
    from cabinet.models import Ald
    from documents.models import GeneratedDocument

    ald = Ald.objects.filter(procedure="derogatoire").select_related("patient").first()
    response = personas.client("nadia").post(
        reverse("documents:request", kwargs={"kind": ALD_KIND, "object_id": ald.pk}))
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=ALD_KIND, object_id=ald.pk)
    data = document.context["data"]
    assert "dérogatoire" in " ".join(data["paragraphs"])
    assert document.patient_id == ald.patient_id
    # The remplaçante does not see this patient: no letter for her.
    response = personas.client("julie").post(
        reverse("documents:request", kwargs={"kind": ALD_KIND, "object_id": ald.pk}))
    assert response.status_code == 404


def test_patient_letter_from_the_patient_page(personas):
    from cabinet.letters import PATIENT_LETTER_KIND
    from documents.models import GeneratedDocument

    patient = julie_patient()
    response = personas.client("claire").post(
        reverse("documents:request", kwargs={"kind": PATIENT_LETTER_KIND,
                                             "object_id": patient.pk}))
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=PATIENT_LETTER_KIND, object_id=patient.pk)
    assert patient.last_name.upper() in document.context["data"]["recipient"]["name"]


def test_bsi_renewal_letter_to_the_medecin_traitant(personas):
    from cabinet.letters import BSI_KIND, TEMPLATE
    from documents.models import GeneratedDocument
    from documents.rendering import render_pdf

    client = personas.client("nadia")
    response = client.get(reverse("cabinet:worklist"))
    patient, due = response.context["work"].bsi[0]
    letter_url = reverse("documents:request", kwargs={"kind": BSI_KIND, "object_id": patient.pk})
    assert letter_url in response.content.decode()
    response = client.post(letter_url)
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=BSI_KIND, object_id=patient.pk)
    assert document.patient_id == patient.pk
    data = document.context["data"]
    assert data["recipient"]["name"].endswith(patient.medecin_traitant.last_name)
    assert f"{due:%d/%m/%Y}" in " ".join(data["paragraphs"])
    assert render_pdf(TEMPLATE, document.context, {"requested_at": document.requested_at}
                      ).startswith(b"%PDF")


def test_letters_agree_with_the_patient_sex(personas):
    from cabinet.letters import bsi_context
    from cabinet.models import Patient

    patient = Patient.objects.filter(bsi_level__gt="", medecin_traitant__isnull=False).first()
    for sex, civility, born in (("F", "Madame", "née le"), ("M", "Monsieur", "né le")):
        patient.sex = sex
        text = " ".join(bsi_context(patient)["paragraphs"])
        assert f"{civility} {patient.last_name.upper()}" in text
        assert f"{born} {patient.birth_date:%d/%m/%Y}" in text
        assert "né(e)" not in text


def test_worklist_is_paginated_and_stays_the_same_size_at_ten_times_the_data(
    personas, django_assert_max_num_queries
):
    """Each section shows PER_PAGE rows at most, most urgent first, and says
    how many there are; the next rows are on the next pages."""
    from cabinet.services.worklist import PER_PAGE
    from tests.scale import scale_demo

    client = personas.client("nadia")
    url = reverse("cabinet:worklist")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(15) as demo:
        demo_page = client.get(url)
    scale_demo(9)
    with django_assert_max_num_queries(15) as ten:
        ten_page = client.get(url)
    assert len(ten.captured_queries) == len(demo.captured_queries)
    work = ten_page.context["work"]
    for section in (work.prescriptions, work.bsi, work.alds):
        assert len(section) <= PER_PAGE
    total = work.bsi.paginator.count
    assert total == 10 * demo_page.context["work"].bsi.paginator.count > PER_PAGE
    assert len(ten_page.content) < 2 * len(demo_page.content) + 20 * 1024
    assert f"sur {total}" in ten_page.content.decode()
    # The next page of one section keeps the page of the others.
    html = ten_page.content.decode()
    assert "?page_bsi=2#bsi" in html
    second = client.get(url, {"page_bsi": "2", "page_alds": "1"})
    dues = [due for _patient, due in second.context["work"].bsi]
    assert dues and min(dues) >= max(due for _patient, due in work.bsi)
    assert "page_alds=1" in second.content.decode()
    # A page number out of range shows the last page rather than an error.
    assert client.get(url, {"page_bsi": "999"}).status_code == 200


def test_renewal_letters_are_signed_by_the_patients_nurse_not_the_team(personas):
    """Issue 16 item 6: « L'équipe » only when the patient has no référent nurse."""
    from cabinet.letters import bsi_context, renewal_context
    from cabinet.models import Prescription

    prescription = Prescription.objects.filter(
        patient__referent_nurse__isnull=False).select_related("patient").first()
    nurse = prescription.patient.referent_nurse
    for context in (renewal_context(prescription), bsi_context(prescription.patient)):
        assert context["signature"].startswith(nurse.get_full_name())
        assert "équipe" not in context["signature"]
    prescription.patient.referent_nurse = None
    assert renewal_context(prescription)["signature"] == "L'équipe infirmière du cabinet"
