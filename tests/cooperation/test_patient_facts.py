"""Facts gathered from the patient file, the assessment and the adhesions: what none of
them says stays unknown (R-PAPH-1, R-PAPH-5, R-PAPH-18, R-ASA-8)."""

from __future__ import annotations

import datetime as dt

from cabinet.models import Patient
from cooperation.models import Adhesion, AdhesionStatus, PatientAssessment
from cooperation.patient_facts import facts_for, iadl_score


def test_without_assessment_only_the_file_speaks(personas):
    patient = Patient.objects.get(last_name="Bertin")  # no assessment, no BSI, no MDPH
    assert not PatientAssessment.objects.filter(patient=patient).exists()
    facts = facts_for(patient, on=dt.date(2026, 3, 1))
    # BSI « Aucun » on the file is an answer (issue 16), not an unknown.
    assert dict(facts.patient) == {"birth_date": patient.birth_date, "has_bsi": False}
    # Her médecin traitant (Dr Lefèvre) has Claire's active PA-PH adhesion in an MSP.
    assert dict(facts.practice) == {"coordinated_practice": True}


def test_r_paph_5_bsi_on_the_file_is_a_known_fact(personas):
    patient = Patient.objects.get(last_name="Lambert")
    assert patient.bsi_level
    assert facts_for(patient).patient["has_bsi"] is True


def test_mdph_box_unchecked_is_not_read_as_no(personas):
    patient = Patient.objects.get(last_name="Girard")
    assert patient.mdph_handicap is False
    assert "mdph_handicap" not in facts_for(patient).patient


def test_r_paph_18_iadl_level_gives_the_score():
    assert [iadl_score(level) for level in (1, 2, 3, 4, 5)] == [1, 1, 1, 0, 0]
    assert iadl_score(None) is None


def test_r_asa_8_asalee_member_from_an_active_adhesion(personas):
    brun = Patient.objects.get(last_name="Brun")
    assert facts_for(brun).practice.get("asalee_member") is True
    Adhesion.objects.filter(protocol="asalee").update(status=AdhesionStatus.SUSPENDED)
    assert "asalee_member" not in facts_for(brun).practice


def test_r_paph_1_no_adhesion_leaves_the_practice_unknown(personas):
    patient = Patient.objects.get(last_name="Boyer")  # Dr Garnier: no adhesion
    assert dict(facts_for(patient).practice) == {}


def test_r_coop_10_yearly_indicators(personas):
    from django.utils import timezone

    from cooperation import indicators
    from cooperation.models import DelegatedAct

    year = timezone.localdate().year
    acts = DelegatedAct.objects.filter(inclusion__protocol="pa-ph", performed_on__year=year)
    result = indicators.yearly("pa-ph", year)
    assert result.patients >= 1
    assert result.acts == acts.count()
    assert result.reprises == acts.filter(reprise_by_delegant=True).count()
    assert result.expected_follow_ups_per_patient == 12
    assert indicators.yearly("pa-ph", 2000).patients == 0
