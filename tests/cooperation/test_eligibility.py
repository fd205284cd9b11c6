"""The eligibility engine, criterion by criterion: met, not met, missing (named after the
rule ids of docs/domain/cooperation.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from cooperation import catalogue
from cooperation.eligibility import Status, evaluate, evaluate_all

from .helpers import MISSING, asalee, paph

PAPH = catalogue.get("pa-ph")
ASALEE = catalogue.get("asalee")


def criteria(result, rule):
    return [c for c in result.criteria if c.rule == rule]


def decided(protocol, facts, rule: str) -> tuple:
    """The result of the criterion `rule` and the protocol's status for `facts`."""
    result = evaluate(protocol, facts)
    return one(result, rule).result, result.status


def one(result, rule):
    found = criteria(result, rule)
    assert len(found) == 1, [c.rule for c in result.criteria]
    return found[0]


def exclusion(result, fact):
    return next(c for c in result.criteria if f"patient.{fact}" in c.facts_used)


# --- baseline -----------------------------------------------------------------------------


def test_fully_known_elderly_patient_is_eligible():
    result = evaluate(PAPH, paph())
    assert result.status == Status.ELIGIBLE
    assert all(c.result is True for c in result.criteria)
    assert result.missing == []


def test_every_criterion_cites_its_rule_and_gives_a_reason():
    for result in evaluate_all(paph()) + evaluate_all(asalee()):
        for c in result.criteria:
            assert c.rule.startswith("R-")
            assert c.rule in c.reason
            assert c.reason


# --- R-PAPH-1: coordinated practice -----------------------------------------------------


def test_r_paph_1_coordinated_practice_met():
    assert one(evaluate(PAPH, paph()), "R-PAPH-1").result is True


def test_r_paph_1_coordinated_practice_not_met():
    facts = paph(coordinated_practice=False)
    assert decided(PAPH, facts, "R-PAPH-1") == (False, Status.NOT_ELIGIBLE)


def test_r_paph_1_coordinated_practice_missing():
    result = evaluate(PAPH, paph(coordinated_practice=MISSING))
    criterion = one(result, "R-PAPH-1")
    assert criterion.result is None
    assert criterion.missing == ("practice.coordinated_practice",)
    assert "coordinated_practice" in criterion.reason
    assert result.status == Status.INCOMPLETE


# --- R-PAPH-3 / R-PAPH-13 / R-PAPH-14: elderly branch ------------------------------------


def test_r_paph_3_age_met():
    assert one(evaluate(PAPH, paph()), "R-PAPH-3").result is True


def test_r_paph_3_age_not_met():
    facts = paph(birth_date=dt.date(1980, 1, 1))
    assert decided(PAPH, facts, "R-PAPH-3") == (False, Status.NOT_ELIGIBLE)


def test_r_paph_3_age_missing():
    result = evaluate(PAPH, paph(birth_date=MISSING))
    criterion = one(result, "R-PAPH-3")
    assert criterion.result is None
    assert "patient.birth_date" in criterion.missing
    assert result.status == Status.INCOMPLETE


def test_r_paph_3_medical_follow_up_not_met():
    result = evaluate(PAPH, paph(needs_medical_follow_up=False))
    assert one(result, "R-PAPH-3").result is False


def test_r_paph_3_medical_follow_up_missing():
    result = evaluate(PAPH, paph(needs_medical_follow_up=MISSING))
    assert one(result, "R-PAPH-3").missing == ("patient.needs_medical_follow_up",)
    assert result.status == Status.INCOMPLETE


def test_r_paph_3_mdph_handicap_unknown_is_not_needed_for_an_elderly_patient():
    result = evaluate(PAPH, paph(mdph_handicap=MISSING, psychiatric_unstabilised=MISSING))
    assert result.status == Status.ELIGIBLE


def test_r_paph_14_exactly_65_is_not_over_65():
    birth = dt.date(1961, 3, 1)  # 65th birthday on the evaluation date
    criterion = one(evaluate(PAPH, paph(birth_date=birth)), "R-PAPH-3")
    assert criterion.result is False


def test_r_paph_14_day_after_65th_birthday_is_over_65_with_a_warning():
    birth = dt.date(1961, 2, 28)
    criterion = one(evaluate(PAPH, paph(birth_date=birth)), "R-PAPH-3")
    assert criterion.result is True
    assert any("R-PAPH-14" in w for w in criterion.warnings)
    assert "Attention" in criterion.reason


def test_r_paph_14_no_warning_after_66():
    criterion = one(evaluate(PAPH, paph(birth_date=dt.date(1959, 1, 1))), "R-PAPH-3")
    assert criterion.result is True and criterion.warnings == ()


# --- R-PAPH-3 / R-PAPH-16: handicap branch ------------------------------------------------


HANDICAP = {"birth_date": dt.date(1990, 6, 1), "mdph_handicap": True,
            "psychiatric_unstabilised": False, "needs_medical_follow_up": False}


def test_r_paph_3_mdph_handicap_met():
    assert decided(PAPH, paph(**HANDICAP), "R-PAPH-3") == (True, Status.ELIGIBLE)


def test_r_paph_3_mdph_handicap_not_met():
    result = evaluate(PAPH, paph(**{**HANDICAP, "mdph_handicap": False}))
    assert one(result, "R-PAPH-3").result is False


def test_r_paph_3_mdph_handicap_missing():
    result = evaluate(PAPH, paph(**{**HANDICAP, "mdph_handicap": MISSING}))
    criterion = one(result, "R-PAPH-3")
    assert criterion.result is None
    assert "patient.mdph_handicap" in criterion.missing


def test_r_paph_3_psychiatric_unstabilised_not_met():
    facts = paph(**{**HANDICAP, "psychiatric_unstabilised": True})
    assert decided(PAPH, facts, "R-PAPH-3") == (False, Status.NOT_ELIGIBLE)


def test_r_paph_3_psychiatric_unstabilised_missing():
    result = evaluate(PAPH, paph(**{**HANDICAP, "psychiatric_unstabilised": MISSING}))
    assert one(result, "R-PAPH-3").missing == ("patient.psychiatric_unstabilised",)


def test_r_paph_16_adult_met_on_18th_birthday():
    birth = dt.date(2008, 3, 1)
    assert one(evaluate(PAPH, paph(**{**HANDICAP, "birth_date": birth})), "R-PAPH-3").result


def test_r_paph_16_minor_not_met():
    birth = dt.date(2008, 3, 2)
    result = evaluate(PAPH, paph(**{**HANDICAP, "birth_date": birth}))
    assert one(result, "R-PAPH-3").result is False


def test_r_paph_16_adult_missing():
    result = evaluate(PAPH, paph(**{**HANDICAP, "birth_date": MISSING}))
    assert "patient.birth_date" in one(result, "R-PAPH-3").missing


# --- R-PAPH-4 / R-PAPH-17 / R-PAPH-19: criterion B -----------------------------------------


def test_r_paph_4_home_visits_met():
    facts = paph(doctor_home_visits_last_year=3, iadl_modified_score=MISSING)
    assert decided(PAPH, facts, "R-PAPH-4") == (True, Status.ELIGIBLE)


def test_r_paph_4_home_visits_not_met():
    facts = paph(doctor_home_visits_last_year=2, iadl_modified_score=1)
    assert decided(PAPH, facts, "R-PAPH-4") == (False, Status.NOT_ELIGIBLE)


def test_r_paph_4_home_visits_missing():
    result = evaluate(PAPH, paph(doctor_home_visits_last_year=MISSING, iadl_modified_score=1))
    criterion = one(result, "R-PAPH-4")
    assert criterion.result is None
    assert criterion.missing == ("patient.doctor_home_visits_last_year",)


def test_r_paph_17_iadl_met():
    result = evaluate(PAPH, paph(doctor_home_visits_last_year=0, iadl_modified_score=0))
    assert one(result, "R-PAPH-4").result is True


def test_r_paph_17_iadl_not_met():
    result = evaluate(PAPH, paph(doctor_home_visits_last_year=0, iadl_modified_score=1))
    assert one(result, "R-PAPH-4").result is False


def test_r_paph_17_iadl_missing():
    result = evaluate(PAPH, paph(doctor_home_visits_last_year=0, iadl_modified_score=MISSING))
    assert one(result, "R-PAPH-4").missing == ("patient.iadl_modified_score",)
    assert result.status == Status.INCOMPLETE


def test_r_paph_19_either_alone_suffices():
    assert one(evaluate(PAPH, paph(doctor_home_visits_last_year=MISSING,
                                   iadl_modified_score=0.5)), "R-PAPH-4").result is True


# --- R-PAPH-5: exclusions -------------------------------------------------------------------

EXCLUSIONS = ("refusal", "home_follow_up_impossible", "has_bsi", "polyhandicap")


@pytest.mark.parametrize("fact", EXCLUSIONS)
def test_r_paph_5_exclusion_met(fact):
    """Met: the excluding situation is known not to hold."""
    criterion = exclusion(evaluate(PAPH, paph(**{fact: False})), fact)
    assert criterion.rule == "R-PAPH-5" and criterion.kind == "exclusion"
    assert criterion.result is True


@pytest.mark.parametrize("fact", EXCLUSIONS)
def test_r_paph_5_exclusion_not_met(fact):
    result = evaluate(PAPH, paph(**{fact: True}))
    assert exclusion(result, fact).result is False
    assert result.status == Status.NOT_ELIGIBLE


@pytest.mark.parametrize("fact", EXCLUSIONS)
def test_r_paph_5_exclusion_missing(fact):
    result = evaluate(PAPH, paph(**{fact: MISSING}))
    criterion = exclusion(result, fact)
    assert criterion.result is None
    assert criterion.missing == (f"patient.{fact}",)
    assert result.status == Status.INCOMPLETE
    assert result.missing == [f"patient.{fact}"]


def test_r_paph_5_exclusion_wins_over_missing_facts():
    result = evaluate(PAPH, paph(has_bsi=True, birth_date=MISSING, coordinated_practice=MISSING))
    assert result.status == Status.NOT_ELIGIBLE


# --- R-COOP-5 / R-ASA-21: protocol in force ----------------------------------------------------


def test_r_coop_5_protocol_not_yet_authorised():
    facts = paph()
    facts = type(facts)(date=dt.date(2021, 1, 1), practice=facts.practice, patient=facts.patient)
    result = evaluate(PAPH, facts)
    assert result.status == Status.NOT_ELIGIBLE
    assert result.criteria[0].rule == "R-COOP-5" and result.criteria[0].result is False


# --- ASALEE ----------------------------------------------------------------------------------


def test_r_asa_8_asalee_member_met():
    assert decided(ASALEE, asalee(), "R-ASA-8") == (True, Status.ELIGIBLE)


def test_r_asa_8_asalee_member_not_met():
    assert decided(ASALEE, asalee(asalee_member=False), "R-ASA-8") == (False, Status.NOT_ELIGIBLE)


def test_r_asa_8_asalee_member_missing():
    result = evaluate(ASALEE, asalee(asalee_member=MISSING))
    assert one(result, "R-ASA-8").missing == ("practice.asalee_member",)
    assert result.status == Status.INCOMPLETE


NO_ACTIVITY = {"diabetes_type2": False, "cardiovascular_risk": False, "smoker": False,
               "copd_risk": False, "cognitive_complaint": False}


def test_r_asa_12_no_activity_not_met():
    assert decided(ASALEE, asalee(**NO_ACTIVITY), "R-ASA-12") == (False, Status.NOT_ELIGIBLE)


def test_r_asa_12_one_activity_is_enough_even_with_others_unknown():
    result = evaluate(ASALEE, asalee(cardiovascular_risk=MISSING, smoker=MISSING,
                                     copd_risk=MISSING, cognitive_complaint=MISSING))
    assert result.status == Status.ELIGIBLE


@pytest.mark.parametrize(
    ("rule", "present"),
    [
        ("R-ASA-3", {"diabetes_type2": True}),
        ("R-ASA-4", {"cardiovascular_risk": True}),
        ("R-ASA-5", {"smoker": True, "copd_risk": True}),
        ("R-ASA-6", {"cognitive_complaint": True}),
    ],
)
def test_r_asa_3_to_6_activity_met(rule, present):
    result = evaluate(ASALEE, asalee(**{**NO_ACTIVITY, **present}))
    assert one(result, "R-ASA-12").result is True
    assert result.status == Status.ELIGIBLE
    branch = next(c for c in one(result, "R-ASA-12").detail.children if c.node.rule == rule)
    assert branch.result is True


def test_r_asa_3_diabetes_not_met():
    assert one(evaluate(ASALEE, asalee(**NO_ACTIVITY)), "R-ASA-12").result is False


@pytest.mark.parametrize(
    ("missing", "facts"),
    [
        pytest.param("diabetes_type2", {"diabetes_type2": MISSING}, id="R-ASA-3"),
        pytest.param("cardiovascular_risk", {"cardiovascular_risk": MISSING}, id="R-ASA-4"),
        pytest.param("copd_risk", {"smoker": True, "copd_risk": MISSING}, id="R-ASA-5"),
        pytest.param("cognitive_complaint", {"cognitive_complaint": MISSING}, id="R-ASA-6"),
    ],
)
def test_r_asa_3_to_6_activity_fact_missing(missing, facts):
    result = evaluate(ASALEE, asalee(**{**NO_ACTIVITY, **facts}))
    assert one(result, "R-ASA-12").missing == (f"patient.{missing}",)
    assert result.status == Status.INCOMPLETE


def test_r_asa_5_smoker_without_copd_risk_not_met():
    result = evaluate(ASALEE, asalee(**{**NO_ACTIVITY, "smoker": True}))
    assert one(result, "R-ASA-12").result is False


def test_r_asa_5_non_smoker_does_not_need_copd_risk():
    result = evaluate(ASALEE, asalee(**{**NO_ACTIVITY, "copd_risk": MISSING}))
    assert result.status == Status.NOT_ELIGIBLE


def test_r_asa_16_no_age_threshold_for_cognitive_screening():
    result = evaluate(ASALEE, asalee(**{**NO_ACTIVITY, "cognitive_complaint": True}))
    assert result.status == Status.ELIGIBLE
    assert "patient.birth_date" not in ASALEE.facts()
