"""The cooperation pages: what each role sees, forms with French errors, the letters."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cabinet.models import Patient
from cooperation.documents import DOCTOR_REPORT, INFORMATION_LETTER
from cooperation.models import DelegatedAct, PatientAssessment, PatientInclusion
from core.models import AuditEvent
from documents.models import GeneratedDocument


def patient(last: str) -> Patient:
    return Patient.objects.get(last_name=last)


def vidal_inclusion() -> PatientInclusion:
    return PatientInclusion.objects.get(patient=patient("Vidal"), protocol="pa-ph")


def test_patient_panel_shows_each_criterion_with_its_rule(personas):
    faure = patient("Faure")
    url = reverse("cooperation:patient_eligibility", kwargs={"patient_id": faure.pk})
    html = personas.client("claire").get(url).content.decode()
    for rule in ("R-PAPH-1", "R-PAPH-3", "R-PAPH-4", "R-PAPH-5", "R-ASA-8", "R-ASA-12"):
        assert rule in html
    assert "Éligible" in html
    assert "Informer et recueillir le consentement" in html
    # S-TRACE-1: the read is logged.
    assert AuditEvent.objects.filter(action="view", patient_id=faure.pk,
                                     view="cooperation:patient_eligibility").exists()


def test_patient_panel_names_missing_facts(personas):
    url = reverse("cooperation:patient_eligibility",
                  kwargs={"patient_id": patient("Gauthier").pk})
    html = personas.client("claire").get(url).content.decode()
    assert "Informations manquantes" in html
    assert "À renseigner" in html and "score IADL" in html


def test_panel_include_is_reusable(personas):
    from django.template.loader import render_to_string

    from cooperation.views import eligibility_panel_context

    html = render_to_string("cooperation/_patient_panel.html",
                            eligibility_panel_context(personas.claire, patient("Faure")))
    assert "R-PAPH-3" in html


def test_eligible_list_shows_eligible_patients_not_yet_included(personas):
    html = personas.client("claire").get(reverse("cooperation:eligible_list")).content.decode()
    assert "FAURE Marguerite" in html and "GIRARD Marcel" in html
    assert "VIDAL Madeleine" not in html  # already included
    assert "GAUTHIER Roger" not in html  # incomplete


def test_remplacante_sees_only_her_patients_in_the_eligible_list(personas):
    html = personas.client("julie").get(reverse("cooperation:eligible_list")).content.decode()
    assert "COLIN Émile" in html
    assert "FAURE Marguerite" not in html


def test_assessment_form_keeps_unknown_as_unknown(personas):
    gauthier = patient("Gauthier")
    url = reverse("cooperation:assessment_edit", kwargs={"patient_id": gauthier.pk})
    client = personas.client("claire")
    assessment = PatientAssessment.objects.get(patient=gauthier)
    response = client.post(url, {
        "row_version": assessment.row_version, "needs_medical_follow_up": "true",
        "doctor_home_visits_last_year": "", "iadl_travel_level": "5", "refusal": "false",
        "has_bsi": "", "assessed_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.iadl_travel_level == 5
    assert assessment.doctor_home_visits_last_year is None
    assert assessment.has_bsi is None  # still unknown, never read as « non »
    assert assessment.polyhandicap is None


def test_assessment_form_error_is_french_and_at_the_field(personas):
    url = reverse("cooperation:assessment_edit", kwargs={"patient_id": patient("Gauthier").pk})
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = personas.client("claire").post(url, {"assessed_on": future,
                                                    "doctor_home_visits_last_year": "-3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ne peut pas être future" in html


def _post_consent(client, patient_obj):
    """An oral consent to the PA-PH protocol, followed at home, given on today's date."""
    url = reverse("cooperation:inclusion_create",
                  kwargs={"patient_id": patient_obj.pk, "protocol_id": "pa-ph"})
    return client.post(url, {
        "informed_at": timezone.localdate().isoformat(), "information_method": "oral",
        "consent": "true", "living_place": "home", "enabled_acts": ["suivi-mensuel"],
    })


def test_consent_through_the_page(personas):
    faure = patient("Faure")
    response = _post_consent(personas.client("claire"), faure)
    inclusion = PatientInclusion.objects.get(patient=faure, protocol="pa-ph")
    assert response.status_code == 302
    assert response["Location"] == reverse("cooperation:inclusion_detail",
                                           kwargs={"pk": inclusion.pk})


def test_consent_page_shows_the_service_refusal(personas):
    # Marc has no adhesion with Faure's médecin traitant.
    faure = patient("Faure")
    response = _post_consent(personas.client("marc"), faure)
    assert response.status_code == 200
    assert "Aucune adhésion active" in response.content.decode()
    assert not PatientInclusion.objects.filter(patient=faure).exists()


def test_delegated_act_refused_to_the_remplacante_without_adhesion(personas):
    inclusion = vidal_inclusion()
    url = reverse("cooperation:act_create", kwargs={"pk": inclusion.pk})
    count = DelegatedAct.objects.count()
    response = personas.client("julie").post(url, {
        "act_code": "suivi-mensuel", "context": "monthly_visit",
        "performed_on": timezone.localdate().isoformat(), "location": "home",
        "findings": "RAS", "decision": "Évaluation globale sans modification",
    })
    assert response.status_code == 200
    assert "R-COOP-8" in response.content.decode()
    assert DelegatedAct.objects.count() == count


def test_secretary_sees_inclusions_without_findings(personas):
    client = personas.client("nadia")
    html = client.get(reverse("cooperation:inclusion_list")).content.decode()
    assert "VIDAL Madeleine" in html
    act = vidal_inclusion().acts.first()
    assert act.findings.split(",")[0] not in html
    assert reverse("cooperation:inclusion_detail", kwargs={"pk": vidal_inclusion().pk}) not in html
    assert client.get(reverse("cooperation:act_detail", kwargs={"pk": act.pk})).status_code == 403


def test_foreign_patient_is_not_found_for_the_remplacante(personas):
    url = reverse("cooperation:patient_eligibility", kwargs={"patient_id": patient("Faure").pk})
    assert personas.client("julie").get(url).status_code == 404


def test_doctor_report_pdf_through_the_documents_pipeline(personas, eager,
                                                         django_capture_on_commit_callbacks):
    act = vidal_inclusion().acts.order_by("pk").first()
    client = personas.client("claire")
    page = client.get(reverse("cooperation:act_detail", kwargs={"pk": act.pk})).content.decode()
    request_url = reverse("documents:request", kwargs={"kind": DOCTOR_REPORT,
                                                       "object_id": act.pk})
    assert request_url in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url)
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=DOCTOR_REPORT, object_id=act.pk)
    assert document.status == "ready", document.error  # eager Celery in tests
    assert document.patient_id == act.inclusion.patient_id
    pdf = client.get(reverse("documents:download", kwargs={"pk": document.pk}))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert document.context["data"]["recipient"]["name"] == str(act.doctor)


def test_information_letter_pdf(personas, eager, django_capture_on_commit_callbacks):
    inclusion = vidal_inclusion()
    client = personas.client("claire")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:request", kwargs={"kind": INFORMATION_LETTER,
                                                         "object_id": inclusion.pk}))
    document = GeneratedDocument.objects.get(kind=INFORMATION_LETTER, object_id=inclusion.pk)
    assert document.status == "ready", document.error
    text = " ".join(document.context["data"]["paragraphs"])
    assert "libre d'accepter ou de refuser" in text


def test_secretary_cannot_ask_for_the_doctor_report(personas):
    act = vidal_inclusion().acts.first()
    response = personas.client("nadia").post(
        reverse("documents:request", kwargs={"kind": DOCTOR_REPORT, "object_id": act.pk}))
    assert response.status_code == 404
    assert not GeneratedDocument.objects.filter(kind=DOCTOR_REPORT).exists()


def test_convention_form_refuses_a_medical_activity(personas):
    response = personas.client("nadia").post(reverse("cooperation:convention_create"), {
        "operator_name": "Opérateur", "indication": "Diabète", "third_party_name": "Tiers",
        "activities": ["interpretation-medicale"], "remote_only": "on",
    })
    assert response.status_code == 200
    assert "R-TLS-6" in response.content.decode()


def test_navigation_entry_for_every_role(personas):
    for name in ("claire", "julie", "nadia", "admin"):
        html = personas.client(name).get(reverse("home")).content.decode()
        assert reverse("cooperation:protocol_list") in html


def test_panel_is_loaded_into_the_patient_page_for_nurses(personas):
    """The patient page (cabinet) gets the panel through cabinet.panels, loaded
    by htmx from this app's URL: no import of cooperation from cabinet."""
    faure = patient("Faure")
    url = reverse("cooperation:patient_eligibility", kwargs={"patient_id": faure.pk})
    page = personas.client("claire").get(reverse("cabinet:patient_detail", args=[faure.pk]))
    assert f'hx-get="{url}"' in page.content.decode()
    fragment = personas.client("claire").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "R-PAPH-3" in fragment and "<html" not in fragment
    for name in ("nadia", "admin"):
        page = personas.client(name).get(reverse("cabinet:patient_detail", args=[faure.pk]))
        assert url not in page.content.decode(), name


def test_r_paph_24_consent_page_asks_the_delegant_items_at_the_field(personas):
    faure = patient("Faure")
    url = reverse("cooperation:inclusion_create",
                  kwargs={"patient_id": faure.pk, "protocol_id": "pa-ph"})
    client = personas.client("claire")
    form = client.get(url).context["form"]
    assert "antalgique-palier-1" not in form["enabled_acts"].initial
    posted = {
        "informed_at": timezone.localdate().isoformat(), "information_method": "oral",
        "consent": "true", "living_place": "home",
        "enabled_acts": ["suivi-mensuel", "antalgique-palier-1"],
    }
    response = client.post(url, posted)
    assert response.status_code == 200
    assert "R-PAPH-24" in " ".join(response.context["form"].errors["limits__antalgique-palier-1"])
    assert not PatientInclusion.objects.filter(patient=faure).exists()

    response = client.post(url, {
        **posted, "limits__antalgique-palier-1": "Paracétamol 1 g x3/j, 5 jours\n\n",
    })
    assert response.status_code == 302
    inclusion = PatientInclusion.objects.get(patient=faure, protocol="pa-ph")
    assert inclusion.act_limits == {"antalgique-palier-1": ["Paracétamol 1 g x3/j, 5 jours"]}
    html = client.get(reverse("cooperation:inclusion_detail",
                              kwargs={"pk": inclusion.pk})).content.decode()
    assert "Paracétamol 1 g x3/j, 5 jours" in html


def test_r_paph_24_act_page_offers_only_the_care_plan_items(personas):
    inclusion = vidal_inclusion()
    item = inclusion.act_limits["antalgique-palier-1"][0]
    url = reverse("cooperation:act_create", kwargs={"pk": inclusion.pk})
    client = personas.client("claire")
    choices = dict(client.get(url).context["form"].fields["care_plan_item"].choices)
    assert item in choices and len(choices) == 2  # "—" and the délégant's one item
    posted = {
        "act_code": "antalgique-palier-1", "context": "intercurrent_event",
        "performed_on": timezone.localdate().isoformat(), "location": "home",
        "findings": "Douleur du genou, EVA 4.",
        "decision": "Antalgique de palier 1 prescrit (molécule du plan de soins)",
    }
    response = client.post(url, posted)
    assert response.status_code == 200
    assert "R-PAPH-24" in " ".join(response.context["form"].errors["care_plan_item"])
    response = client.post(url, {**posted, "care_plan_item": item})
    act = DelegatedAct.objects.get(inclusion=inclusion, act_code="antalgique-palier-1")
    assert response.status_code == 302 and act.care_plan_item == item
    from cooperation.documents import doctor_report_context

    rows = dict(doctor_report_context(act)["table"]["rows"])
    assert rows["Prescription du plan de soins"] == item


def test_remplacante_own_adhesion_is_read_only_and_another_is_not_found(personas):
    from cooperation.models import Adhesion

    own = Adhesion.objects.filter(nurse=personas.julie).first()
    other = Adhesion.objects.get(protocol="pa-ph", nurse=personas.claire)
    client = personas.client("julie")
    assert client.get(reverse("cooperation:adhesion_detail", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("cooperation:adhesion_edit", kwargs={"pk": own.pk})).status_code == 403
    assert client.get(reverse("cooperation:adhesion_edit",
                              kwargs={"pk": other.pk})).status_code == 404


def test_r_coop_8_adhesion_page_asks_each_member_filing_at_its_field(personas):
    from cabinet.models import Medecin
    from cooperation.models import Adhesion

    doctor = Medecin.objects.get(last_name="Garnier")
    day = "2025-01-06"
    posted = {
        "protocol": "pa-ph", "doctor": doctor.pk, "nurse": personas.claire.pk,
        "structure_kind": "msp", "structure_name": "MSP des Tilleuls", "declared_at": day,
        "engagement_signed_at": day, "sworn_statement_at": day, "training_hours": "14",
        "training_completed_at": "2024-12-12", "doctor_engagement_signed_at": day,
        "doctor_training_hours": "7", "doctor_training_completed_at": "2024-12-12",
        "status": "active",
    }
    client = personas.client("nadia")
    response = client.post(reverse("cooperation:adhesion_create"), posted)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["doctor_sworn_statement_at"]
    assert "médecin" in errors["doctor_sworn_statement_at"][0]
    assert not Adhesion.objects.filter(doctor=doctor).exists()

    response = client.post(reverse("cooperation:adhesion_create"),
                           {**posted, "doctor_sworn_statement_at": day})
    adhesion = Adhesion.objects.get(doctor=doctor)
    assert response.status_code == 302 and adhesion.status == "active"
    html = client.get(reverse("cooperation:adhesion_detail",
                              kwargs={"pk": adhesion.pk})).content.decode()
    assert f"Médecin : {doctor}" in html
    assert "7,0 h, terminée le 12/12/2024" in html
