"""Rules of cooperation.md cited by the app beyond the eligibility criteria: protocol
validity, adhesion dates, the follow-up outside NGAP billing, place of care, joint
visit, ASALEE records, and the UNCERTAIN readings shown as such."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Seance
from cabinet.models import Patient
from cabinet.services.tournees import mark_done
from cooperation import catalogue, services
from cooperation.documents import information_letter_context
from cooperation.eligibility import Status, evaluate
from cooperation.models import (
    Adhesion,
    AdhesionStatus,
    DelegatedAct,
    PatientAssessment,
    PatientInclusion,
    StructureKind,
)
from cooperation.patient_facts import facts_for, practice_facts
from core.models import AuditEvent
from tests.cooperation.helpers import ON, asalee

TODAY = timezone.localdate


def patient(last: str) -> Patient:
    return Patient.objects.get(last_name=last)


def consent(nurse, last: str, **changes) -> PatientInclusion:
    data = {"informed_at": TODAY(), "information_method": "both", "consent": True,
            "living_place": "home", "enabled_acts": ["suivi-mensuel"]}
    data.update(changes)
    return services.record_consent(acting_user=nurse, patient=patient(last), protocol_id="pa-ph",
                                   data=data)


# --- protocol and adhesion dates ----------------------------------------------------------


def test_r_asa_21_ended_protocol_makes_every_patient_not_eligible():
    ended = dataclasses.replace(catalogue.get("asalee"), valid_to=ON - dt.timedelta(days=1))
    result = evaluate(ended, asalee())
    assert result.status == Status.NOT_ELIGIBLE
    first = result.criteria[0]
    assert first.rule == "R-ASA-21" and first.result is False
    # The same facts the day before the end: eligible (nothing else changed).
    assert evaluate(ended, asalee(on=ON - dt.timedelta(days=1))).status == Status.ELIGIBLE


def test_r_coop_7_declaration_date_is_the_start_of_implementation(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.claire)
    start = TODAY() + dt.timedelta(days=10)
    Adhesion.objects.filter(pk=adhesion.pk).update(declared_at=start,
                                                   training_completed_at=TODAY())
    adhesion.refresh_from_db()
    assert not adhesion.is_active_on(TODAY())
    assert adhesion.is_active_on(start)
    doctor = adhesion.doctor
    assert services.active_adhesion(protocol_id="pa-ph", doctor=doctor, nurse=personas.claire,
                                    on=TODAY()) is None


def test_r_coop_11_suspended_adhesion_is_not_active_and_proves_nothing(personas):
    vidal = patient("Vidal")
    assert practice_facts(vidal, TODAY()) == {"coordinated_practice": True}
    Adhesion.objects.filter(doctor=vidal.medecin_traitant).update(
        status=AdhesionStatus.SUSPENDED)
    # Unknown, not « non »: another team may still practise in a coordinated structure.
    assert practice_facts(vidal, TODAY()) == {}


def test_r_paph_2_ssiad_nurse_may_adhere(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.julie)
    saved = services.save_adhesion(acting_user=personas.nadia, adhesion=adhesion, data={
        "structure_kind": StructureKind.SSIAD, "structure_name": "SSIAD de Tours Nord",
        "declared_at": TODAY(), "engagement_signed_at": TODAY(),
        "sworn_statement_at": TODAY(), "training_title": "Formation PA-PH",
        "training_hours": 14, "training_completed_at": TODAY(),
        "doctor_engagement_signed_at": TODAY(), "doctor_sworn_statement_at": TODAY(),
        "doctor_training_hours": 7, "doctor_training_completed_at": TODAY(),
        "status": AdhesionStatus.ACTIVE,
    }, expected_version=adhesion.row_version)
    assert saved.is_active_on(TODAY())


# --- inclusion: joint visit, place of care, ASALEE record ------------------------------------


def test_r_paph_6_joint_visit_is_recorded_and_shown(personas):
    joint = TODAY() - dt.timedelta(days=2)
    inclusion = consent(personas.claire, "Faure", joint_visit_at=joint)
    assert inclusion.joint_visit_at == joint
    html = personas.client("claire").get(
        reverse("cooperation:inclusion_detail", kwargs={"pk": inclusion.pk})).content.decode()
    assert "Visite conjointe" in html and joint.strftime("%d/%m/%Y") in html


def test_r_paph_20_ehpad_resident_is_followed_there(personas):
    inclusion = consent(personas.claire, "Faure", living_place="ehpad")
    act = services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion, data={
        "act_code": "suivi-mensuel", "context": "monthly_visit", "performed_on": TODAY(),
        "findings": "Résidente de l'EHPAD, TA 125/70.",
        "decision": "Évaluation globale sans modification",
    })
    assert act.location == "ehpad"


def test_r_paph_15_cannot_travel_is_recorded_with_its_reason(personas):
    faure = patient("Faure")
    assessment = PatientAssessment.objects.get(patient=faure)
    saved = services.save_assessment(
        acting_user=personas.claire, patient=faure,
        data={"cannot_travel_to_practice": True, "cannot_travel_reason": "Escaliers, sans aide"},
        expected_version=assessment.row_version)
    assert saved.cannot_travel_to_practice is True
    assert saved.cannot_travel_reason == "Escaliers, sans aide"


def test_r_asa_17_asalee_file_number_is_kept_on_the_inclusion(personas):
    inclusion = PatientInclusion.objects.get(patient=patient("Brun"), protocol="asalee")
    assert inclusion.asalee_file_number
    html = personas.client("marc").get(
        reverse("cooperation:inclusion_detail", kwargs={"pk": inclusion.pk})).content.decode()
    assert inclusion.asalee_file_number in html


def test_r_asa_18_asalee_is_free_for_the_patient(personas):
    protocol = catalogue.get("asalee")
    assert protocol.billable_ngap is False
    assert {"R-ASA-11", "R-ASA-18"} <= set(protocol.billing_rules)
    inclusion = PatientInclusion.objects.get(patient=patient("Brun"), protocol="asalee")
    letter = " ".join(information_letter_context(inclusion)["paragraphs"])
    assert "gratuit" in letter


def test_r_tls_5_refusal_is_traced_like_a_consent(personas):
    inclusion = consent(personas.claire, "Girard", consent=False)
    event = AuditEvent.objects.get(action="cooperation.consent", object_id=str(inclusion.pk))
    assert event.patient_id == inclusion.patient_id
    assert inclusion.consent_recorded_by == personas.claire
    assert inclusion.informed_at == TODAY()


# --- follow-up outside NGAP billing ---------------------------------------------------------


def test_r_paph_9_follow_up_visit_done_bills_nothing(personas):
    inclusion = consent(personas.claire, "Faure")
    visit = services.plan_follow_up(acting_user=personas.claire, inclusion=inclusion,
                                    first_date=TODAY(), count=1, window_start=dt.time(9),
                                    window_end=dt.time(12))[0]
    assert visit.acts == []
    mark_done(acting_user=personas.claire, visit=visit)
    assert not Seance.objects.filter(visit=visit).exists()


# --- delegated acts: reprise ----------------------------------------------------------------


def test_r_paph_29_case_outside_the_limits_is_a_reprise_counted_in_the_indicators(personas):
    from cooperation import indicators

    inclusion = PatientInclusion.objects.get(patient=patient("Vidal"), protocol="pa-ph")
    before = indicators.yearly("pa-ph", TODAY().year).reprises
    act = services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion, data={
        "act_code": "suivi-mensuel", "context": "monthly_visit", "performed_on": TODAY(),
        "findings": "Dyspnée nouvelle.", "decision": "Appel du médecin (reprise)",
        "reprise_by_delegant": True, "reprise_reason": "Hors des limites du protocole",
    })
    assert DelegatedAct.objects.get(pk=act.pk).reprise_by_delegant
    assert indicators.yearly("pa-ph", TODAY().year).reprises == before + 1


# --- UNCERTAIN readings, shown as such -------------------------------------------------------


@pytest.mark.parametrize("rule, shown", [
    ("R-COOP-13", "affichage seulement"),
    ("R-PAPH-31", "heures non connues"),
    ("R-PAPH-8", "date à confirmer"),  # R-PAPH-32: the start date of the forfait
    ("R-PAPH-23", "limites non lues"),
])
def test_uncertain_readings_are_shown_on_the_protocol_page(personas, rule, shown):
    html = personas.client("claire").get(
        reverse("cooperation:protocol_detail", kwargs={"protocol_id": "pa-ph"})).content.decode()
    assert rule in html and shown in html


def test_r_paph_32_no_forfait_before_the_2024_arrete():
    remuneration = catalogue.get("pa-ph").remuneration
    assert remuneration.valid_from == dt.date(2024, 5, 6)
    assert remuneration.valid_from_verified is False


def test_r_paph_18_iadl_map_is_data_and_marked_uncertain(personas):
    levels = catalogue.iadl_levels()
    assert [x.score for x in levels] == [1, 1, 1, 0, 0]
    faure = patient("Faure")
    form = personas.client("claire").get(
        reverse("cooperation:assessment_edit", kwargs={"patient_id": faure.pk})).context["form"]
    assert "R-PAPH-18" in form.fields["iadl_travel_level"].help_text
    assert "incertaine" in form.fields["iadl_travel_level"].help_text
    assert facts_for(faure).patient["iadl_modified_score"] == 0  # level 5 in the demo
