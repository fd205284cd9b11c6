"""Adhesions, consent and delegated-act preconditions (R-COOP-3, R-COOP-7, R-COOP-8,
R-PAPH-7, R-PAPH-12, R-PAPH-21, R-TLS-6), on the demo data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cabinet.models import Medecin, Patient, Visit
from cooperation import services
from cooperation.eligibility import Status, evaluate
from cooperation.models import (
    Adhesion,
    AdhesionStatus,
    DelegatedAct,
    InclusionStatus,
    PatientAssessment,
    PatientInclusion,
    StructureKind,
    ThirdPartyConvention,
)
from cooperation.patient_facts import facts_for
from core.models import AuditEvent

TODAY = timezone.localdate
PARACETAMOL = "Paracétamol 1 g, 3 fois par jour au plus, 5 jours"


def patient(last: str) -> Patient:
    return Patient.objects.get(last_name=last)


def vidal_inclusion() -> PatientInclusion:
    return PatientInclusion.objects.get(patient=patient("Vidal"), protocol="pa-ph")


def act_data(**changes) -> dict:
    data = {
        "act_code": "suivi-mensuel", "context": "monthly_visit", "performed_on": TODAY(),
        "location": "home", "findings": "TA 130/80, pas de chute.",
        "decision": "Évaluation globale sans modification", "decision_detail": "",
        "reprise_by_delegant": False, "adverse_event": False,
    }
    data.update(changes)
    return data


def consent_data(**changes) -> dict:
    data = {"informed_at": TODAY(), "information_method": "both", "consent": True,
            "living_place": "home", "enabled_acts": ["suivi-mensuel", "antalgique-palier-1"],
            "act_limits": {"antalgique-palier-1": [PARACETAMOL]}}
    data.update(changes)
    return data


# --- consent (R-COOP-3) -------------------------------------------------------------------


def test_r_coop_3_consent_includes_an_eligible_patient(personas):
    faure = patient("Faure")
    inclusion = services.record_consent(acting_user=personas.claire, patient=faure,
                                        protocol_id="pa-ph", data=consent_data())
    assert inclusion.status == InclusionStatus.INCLUDED and inclusion.consent
    assert inclusion.adhesion.nurse == personas.claire
    assert inclusion.adhesion.doctor == faure.medecin_traitant
    assert inclusion.consent_recorded_by == personas.claire
    assert inclusion.facts_snapshot["result"]["status"] == "eligible"
    assert AuditEvent.objects.filter(action="cooperation.consent", patient_id=faure.pk).exists()


def test_r_coop_3_refusal_is_recorded_and_excludes(personas):
    girard = patient("Girard")
    inclusion = services.record_consent(acting_user=personas.claire, patient=girard,
                                        protocol_id="pa-ph", data=consent_data(consent=False))
    assert inclusion.status == InclusionStatus.REFUSED and not inclusion.consent
    assert PatientAssessment.objects.get(patient=girard).refusal is True
    result = evaluate(inclusion.protocol_def, facts_for(girard))
    assert result.status == Status.NOT_ELIGIBLE  # R-PAPH-5
    with pytest.raises(ValidationError, match="consentement"):
        services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion,
                                      data=act_data())


def test_consent_refused_for_an_incomplete_eligibility(personas):
    with pytest.raises(ValidationError, match="incomplète"):
        services.record_consent(acting_user=personas.claire, patient=patient("Gauthier"),
                                protocol_id="pa-ph", data=consent_data())
    assert not PatientInclusion.objects.filter(patient=patient("Gauthier")).exists()


def test_consent_refused_for_a_not_eligible_patient(personas):
    # Jeanne Lambert has a BSI on her file (R-PAPH-5).
    with pytest.raises(ValidationError, match="R-PAPH-5"):
        services.record_consent(acting_user=personas.claire, patient=patient("Lambert"),
                                protocol_id="pa-ph", data=consent_data())


def test_consent_needs_the_nurse_s_own_active_adhesion(personas):
    # Marc has no PA-PH adhesion with Dr Lefèvre (Faure's médecin traitant).
    with pytest.raises(ValidationError, match="R-COOP-8"):
        services.record_consent(acting_user=personas.marc, patient=patient("Faure"),
                                protocol_id="pa-ph", data=consent_data())


def test_secretary_cannot_record_consent(personas):
    with pytest.raises(ValidationError):
        services.record_consent(acting_user=personas.nadia, patient=patient("Faure"),
                                protocol_id="pa-ph", data=consent_data())


def test_consent_date_cannot_be_future(personas):
    with pytest.raises(ValidationError) as exc:
        services.record_consent(acting_user=personas.claire, patient=patient("Faure"),
                                protocol_id="pa-ph",
                                data=consent_data(informed_at=TODAY() + dt.timedelta(days=1)))
    assert "informed_at" in exc.value.message_dict


def test_r_paph_21_consent_needs_at_least_one_delegated_act(personas):
    with pytest.raises(ValidationError) as exc:
        services.record_consent(acting_user=personas.claire, patient=patient("Faure"),
                                protocol_id="pa-ph", data=consent_data(enabled_acts=[]))
    assert "enabled_acts" in exc.value.message_dict


# --- delegated acts (R-COOP-8, R-PAPH-12, R-PAPH-21) -----------------------------------------


def test_r_paph_12_act_recorded_within_active_adhesion(personas):
    inclusion = vidal_inclusion()
    act = services.record_delegated_act(
        acting_user=personas.claire, inclusion=inclusion,
        data=act_data(act_code="antalgique-palier-1", context="intercurrent_event",
                      findings="Douleurs du genou droit, EVA 4.",
                      decision="Antalgique de palier 1 prescrit (molécule du plan de soins)",
                      care_plan_item=inclusion.act_limits["antalgique-palier-1"][0]),
    )
    assert act.care_plan_item == inclusion.act_limits["antalgique-palier-1"][0]
    assert act.nurse == personas.claire
    assert act.doctor == inclusion.patient.medecin_traitant
    assert act.derogatory is True
    assert AuditEvent.objects.filter(action="cooperation.act", object_id=str(act.pk)).exists()


def test_r_paph_24_consent_needs_the_delegant_items_for_a_care_plan_act(personas):
    faure = patient("Faure")
    with pytest.raises(ValidationError) as exc:
        services.record_consent(acting_user=personas.claire, patient=faure, protocol_id="pa-ph",
                                data=consent_data(act_limits={"antalgique-palier-1": ["", " "]}))
    assert "R-PAPH-24" in exc.value.message_dict["limits__antalgique-palier-1"][0]
    assert not PatientInclusion.objects.filter(patient=faure).exists()


def test_r_paph_24_limits_are_kept_only_for_delegated_acts(personas):
    inclusion = services.record_consent(
        acting_user=personas.claire, patient=patient("Faure"), protocol_id="pa-ph",
        data=consent_data(enabled_acts=["suivi-mensuel"],
                          act_limits={"antalgique-palier-1": [PARACETAMOL]}))
    assert inclusion.act_limits == {}


def test_r_paph_24_act_prescribes_only_an_item_of_the_care_plan(personas):
    inclusion = vidal_inclusion()
    data = act_data(act_code="antalgique-palier-1", context="intercurrent_event",
                    decision="Antalgique de palier 1 prescrit (molécule du plan de soins)")
    for item in ("", "Ibuprofène 400 mg, 3 fois par jour"):
        with pytest.raises(ValidationError) as exc:
            services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion,
                                          data={**data, "care_plan_item": item})
        assert "R-PAPH-24" in exc.value.message_dict["care_plan_item"][0]
    assert not inclusion.acts.filter(act_code="antalgique-palier-1").exists()


def test_r_paph_24_act_refused_when_the_plan_has_no_item(personas):
    inclusion = vidal_inclusion()
    PatientInclusion.objects.filter(pk=inclusion.pk).update(act_limits={})
    with pytest.raises(ValidationError) as exc:
        services.record_delegated_act(
            acting_user=personas.claire, inclusion=inclusion,
            data=act_data(act_code="antalgique-palier-1", context="intercurrent_event",
                          decision="Antalgique de palier 1 prescrit (molécule du plan de soins)",
                          care_plan_item=PARACETAMOL))
    assert "R-PAPH-24" in exc.value.message_dict["act_code"][0]


def test_r_coop_8_act_refused_without_active_adhesion(personas):
    # Julie's adhesion with Dr Lefèvre is still a draft (training not done).
    with pytest.raises(ValidationError, match="Aucune adhésion active"):
        services.record_delegated_act(acting_user=personas.julie, inclusion=vidal_inclusion(),
                                      data=act_data())
    assert not DelegatedAct.objects.filter(nurse=personas.julie).exists()


def test_r_coop_8_act_refused_once_the_adhesion_is_suspended(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.claire)
    Adhesion.objects.filter(pk=adhesion.pk).update(status=AdhesionStatus.SUSPENDED)
    with pytest.raises(ValidationError, match="R-COOP-8"):
        services.record_delegated_act(acting_user=personas.claire, inclusion=vidal_inclusion(),
                                      data=act_data())


def test_act_refused_for_a_patient_whose_doctor_no_longer_adheres(personas):
    inclusion = vidal_inclusion()
    other = Medecin.objects.get(last_name="Garnier")
    Patient.objects.filter(pk=inclusion.patient_id).update(medecin_traitant=other)
    with pytest.raises(ValidationError, match="médecin traitant"):
        services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion,
                                      data=act_data())


def test_r_paph_21_act_must_be_enabled_for_the_patient(personas):
    with pytest.raises(ValidationError) as exc:
        services.record_delegated_act(
            acting_user=personas.claire, inclusion=vidal_inclusion(),
            data=act_data(act_code="denutrition", decision="Pas de dénutrition"))
    assert "R-PAPH-21" in exc.value.message_dict["act_code"][0]


def test_r_paph_12_reprise_needs_a_reason(personas):
    with pytest.raises(ValidationError) as exc:
        services.record_delegated_act(acting_user=personas.claire, inclusion=vidal_inclusion(),
                                      data=act_data(reprise_by_delegant=True))
    assert "reprise_reason" in exc.value.message_dict


def test_act_cannot_precede_the_information(personas):
    inclusion = vidal_inclusion()
    with pytest.raises(ValidationError) as exc:
        services.record_delegated_act(
            acting_user=personas.claire, inclusion=inclusion,
            data=act_data(performed_on=inclusion.informed_at - dt.timedelta(days=1)))
    assert "R-COOP-3" in exc.value.message_dict["performed_on"][0]


def test_doctor_information_is_recorded_with_its_date(personas):
    act = vidal_inclusion().acts.filter(doctor_informed_at__isnull=True).first()
    at = timezone.now().replace(microsecond=0)
    services.record_doctor_information(acting_user=personas.claire, act=act, channel="mssante",
                                       informed_at=at, information="Contention renouvelée.")
    act.refresh_from_db()
    assert act.doctor_informed_at == at and act.doctor_informed_via == "mssante"


# --- monthly follow-up as visits (R-PAPH-7, R-PAPH-22) ---------------------------------------


def test_r_paph_22_monthly_follow_up_visits_in_the_tournees(personas):
    inclusion = services.record_consent(acting_user=personas.claire, patient=patient("Faure"),
                                        protocol_id="pa-ph", data=consent_data())
    first = TODAY() + dt.timedelta(days=3)
    visits = services.plan_follow_up(acting_user=personas.claire, inclusion=inclusion,
                                     first_date=first, count=12, window_start=dt.time(9),
                                     window_end=dt.time(12))
    assert len(visits) == 12
    assert [v.date.month for v in visits[:2]] == [first.month, (first.month % 12) + 1]
    assert all(v.nurse == personas.claire and v.acts == [] for v in visits)  # R-PAPH-9
    assert all(v.patient_id == inclusion.patient_id for v in visits)
    assert inclusion.follow_up_visits.count() == 12
    with pytest.raises(ValidationError, match="déjà prévues"):
        services.plan_follow_up(acting_user=personas.claire, inclusion=inclusion,
                                first_date=first, count=1, window_start=dt.time(9),
                                window_end=dt.time(12))


def test_r_paph_7_at_most_twelve_follow_ups_at_once(personas):
    with pytest.raises(ValidationError) as exc:
        services.plan_follow_up(acting_user=personas.claire, inclusion=vidal_inclusion(),
                                first_date=TODAY(), count=13, window_start=dt.time(9),
                                window_end=dt.time(12))
    assert "count" in exc.value.message_dict


def test_exit_cancels_the_planned_follow_ups(personas):
    inclusion = vidal_inclusion()
    services.exit_inclusion(acting_user=personas.claire, inclusion=inclusion,
                            exited_on=TODAY(), reason="Entrée en EHPAD hors secteur")
    planned = Visit.objects.filter(cooperation_follow_up__inclusion=inclusion)
    assert planned.exists()
    assert set(planned.values_list("status", flat=True)) == {"cancelled"}
    with pytest.raises(ValidationError, match="consentement"):
        services.record_delegated_act(acting_user=personas.claire, inclusion=inclusion,
                                      data=act_data())


# --- adhesions (R-COOP-2, R-COOP-7, R-COOP-8) ---------------------------------------------------


def adhesion_data(personas, **changes) -> dict:
    data = {
        "protocol": "pa-ph", "doctor": Medecin.objects.get(last_name="Garnier"),
        "nurse": personas.claire, "structure_kind": StructureKind.MSP,
        "structure_name": "MSP des Tilleuls", "declared_at": dt.date(2025, 1, 6),
        "declaration_ref": "", "engagement_signed_at": dt.date(2025, 1, 2),
        "sworn_statement_at": dt.date(2025, 1, 2), "training_title": "Formation PA-PH",
        "training_hours": Decimal("14"), "training_completed_at": dt.date(2024, 12, 12),
        "doctor_engagement_signed_at": dt.date(2025, 1, 3),
        "doctor_sworn_statement_at": dt.date(2025, 1, 3), "doctor_training_hours": Decimal("7"),
        "doctor_training_completed_at": dt.date(2024, 12, 13),
        "status": AdhesionStatus.ACTIVE,
    }
    data.update(changes)
    return data


def test_r_coop_8_active_adhesion(personas):
    adhesion = services.save_adhesion(acting_user=personas.nadia, adhesion=None,
                                      data=adhesion_data(personas))
    assert adhesion.is_active_on(TODAY())


@pytest.mark.parametrize("missing", [
    "declared_at", "sworn_statement_at", "training_completed_at", "training_hours",
    "engagement_signed_at", "doctor_engagement_signed_at", "doctor_sworn_statement_at",
    "doctor_training_completed_at", "doctor_training_hours",
])
def test_r_coop_8_activation_needs_declaration_and_training(personas, missing):
    with pytest.raises(ValidationError) as exc:
        services.save_adhesion(acting_user=personas.nadia, adhesion=None,
                               data=adhesion_data(personas, **{missing: None}))
    assert missing in exc.value.message_dict
    assert not Adhesion.objects.filter(doctor__last_name="Garnier").exists()


def test_r_coop_8_asalee_doctor_files_nothing_with_the_nurse(personas):
    # ASALEE: only the nurse files with the association; no délégant training listed.
    adhesion = services.save_adhesion(acting_user=personas.nadia, adhesion=None, data=adhesion_data(
        personas, protocol="asalee", structure_kind=StructureKind.ASALEE,
        structure_name="Cabinet Garnier", doctor_engagement_signed_at=None,
        doctor_sworn_statement_at=None, doctor_training_hours=None,
        doctor_training_completed_at=None))
    assert adhesion.is_active_on(TODAY())


def test_r_coop_2_training_before_implementation(personas):
    with pytest.raises(ValidationError) as exc:
        services.save_adhesion(acting_user=personas.nadia, adhesion=None, data=adhesion_data(
            personas, training_completed_at=dt.date(2025, 2, 1)))
    assert "training_completed_at" in exc.value.message_dict


def test_r_paph_1_adhesion_needs_a_coordinated_structure(personas):
    with pytest.raises(ValidationError) as exc:
        services.save_adhesion(acting_user=personas.nadia, adhesion=None, data=adhesion_data(
            personas, structure_kind=StructureKind.OTHER))
    assert "R-PAPH-1" in exc.value.message_dict["structure_kind"][0]


def test_draft_adhesion_needs_no_training(personas):
    adhesion = services.save_adhesion(acting_user=personas.nadia, adhesion=None, data=adhesion_data(
        personas, status=AdhesionStatus.DRAFT, declared_at=None, training_hours=None,
        training_completed_at=None))
    assert not adhesion.is_active_on(TODAY())


def test_titulaire_manages_only_her_own_adhesions(personas):
    with pytest.raises(ValidationError) as exc:
        services.save_adhesion(acting_user=personas.marc, adhesion=None,
                               data=adhesion_data(personas))
    assert "nurse" in exc.value.message_dict


def test_one_open_adhesion_per_team(personas):
    existing = Adhesion.objects.get(protocol="pa-ph", nurse=personas.claire)
    with pytest.raises(ValidationError, match="déjà une adhésion"):
        services.save_adhesion(acting_user=personas.nadia, adhesion=None, data=adhesion_data(
            personas, doctor=existing.doctor))


def test_s_data_2_stale_adhesion_edit_is_refused(personas):
    adhesion = Adhesion.objects.get(protocol="pa-ph", nurse=personas.claire)
    services.save_adhesion(acting_user=personas.nadia, adhesion=adhesion,
                           data={"notes": "première modification"},
                           expected_version=adhesion.row_version)
    with pytest.raises(ValidationError, match="modifiée par quelqu'un"):
        services.save_adhesion(acting_user=personas.nadia, adhesion=adhesion,
                               data={"notes": "seconde"}, expected_version=adhesion.row_version)


# --- conventions (R-TLS-6, R-TLS-7) ------------------------------------------------------------


def convention_data(**changes) -> dict:
    data = {"operator_name": "Opérateur", "indication": "Insuffisance cardiaque",
            "third_party_name": "Tiers", "activities": ["prefiltrage-alertes"],
            "remote_only": True}
    data.update(changes)
    return data


def test_r_tls_6_medical_activity_refused_to_a_third_party(personas):
    with pytest.raises(ValidationError) as exc:
        services.save_convention(acting_user=personas.nadia, convention=None, data=convention_data(
            activities=["prefiltrage-alertes", "interpretation-medicale"]))
    assert "R-TLS-6" in exc.value.message_dict["activities"][0]


def test_r_tls_7_checklist(personas):
    convention = services.save_convention(acting_user=personas.nadia, convention=None,
                                          data=convention_data())
    assert not convention.is_complete
    demo = ThirdPartyConvention.objects.get(third_party_name="Télésuivi Val de Loire")
    assert demo.is_complete


def test_r_tls_7_ars_transmission_names_the_third_party(personas):
    with pytest.raises(ValidationError) as exc:
        services.save_convention(acting_user=personas.nadia, convention=None, data=convention_data(
            ars_transmission_at=dt.date(2025, 1, 1), named_in_ars_declaration=False))
    assert "named_in_ars_declaration" in exc.value.message_dict
