"""One test per rule id of docs/domain/remplacement.md, with a valid and an invalid case,
on the pure modules (`replacements.rules`, `replacements.retrocession`)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from replacements import retrocession as retro
from replacements import rules

from .helpers import (
    D,
    all_rules,
    check,
    contract,
    remplacant,
    titulaire,
    violation_rules,
    warning_rules,
)

ROOT = Path(__file__).resolve().parents[2]


def test_baseline_contract_is_valid_without_findings():
    result = check()
    assert result.valid, result.violations
    assert result.warnings == []


# --- A1 ---------------------------------------------------------------------------------


def test_r_repl_1_titulaire_visits_are_listed_with_dates_to_hand_over():
    visits = [rules.VisitRef(1, 10, D(2026, 7, 2)), rules.VisitRef(2, 10, D(2026, 8, 2)),
              rules.VisitRef(3, 11, D(2026, 7, 2))]
    plan = rules.handover_plan(visits, titulaire=10, remplacant=20,
                               period=rules.Period(D(2026, 7, 1), D(2026, 7, 15)))
    assert plan == [rules.Handover(1, 20, 10)]
    assert rules.handover_plan(visits, 12, 20, rules.Period(D(2026, 7, 1), D(2026, 7, 15))) == []
    finding = check(t=titulaire(own_visits=[D(2026, 7, 2)])).violations[0]
    assert finding.dates == (D(2026, 7, 2),)


def test_r_repl_2_replacement_is_temporary_end_after_start():
    assert "R-REPL-2" not in violation_rules(check())
    bad = check(c=contract(end=dt.datetime(2026, 7, 1, 8, 0)))
    assert violation_rules(bad) == {"R-REPL-2"}
    assert "temporaire" in bad.violations[0].message


def test_r_repl_3_contract_inside_unavailability():
    assert "R-REPL-3" not in violation_rules(check())
    bad = check(c=contract(end=dt.datetime(2026, 8, 3, 20, 0)))
    assert "R-REPL-3" in violation_rules(bad)
    assert "01/08/2026 au 03/08/2026" in bad.violations[0].message
    # Two adjacent unavailability periods cover the contract together.
    joined = titulaire(unavailability=[rules.Unavailability(D(2026, 7, 1), D(2026, 7, 10)),
                                       rules.Unavailability(D(2026, 7, 11), D(2026, 8, 5), kind="maladie")])
    assert check(t=joined, c=contract(end=dt.datetime(2026, 8, 3, 20))).valid


def test_r_repl_3_end_at_midnight_closes_the_previous_day():
    c = contract(start=dt.datetime(2026, 7, 25), end=dt.datetime(2026, 8, 1, 0, 0))
    assert c.last_day == D(2026, 7, 31)
    assert check(c=c).valid


def test_r_repl_4_motif_is_required():
    assert "R-REPL-4" not in violation_rules(check())
    assert "R-REPL-4" in violation_rules(check(c=contract(motif="  ")))


def test_r_repl_5_titulaire_activity_in_period_refused_and_listed():
    assert check(t=titulaire(own_visits=[D(2026, 6, 30), D(2026, 7, 16)])).valid
    bad = check(t=titulaire(own_visits=[D(2026, 7, 3), D(2026, 7, 4), D(2026, 7, 3)]))
    assert "R-REPL-5" in violation_rules(bad)
    assert "2 passage(s)" in bad.violations[0].message and "03/07/2026" in bad.violations[0].message


def test_r_repl_6_conventional_activity_barred_for_conventionne():
    own = [D(2026, 7, 3)]
    assert "R-REPL-6" in violation_rules(check(t=titulaire(own_visits=own)))
    assert "R-REPL-6" not in violation_rules(check(t=titulaire(own_visits=own, conventionne=False)))


def test_r_repl_7_association_must_be_informed():
    assert "R-REPL-7" in warning_rules(check(t=titulaire(practice_form="association")))
    assert "R-REPL-7" not in all_rules(check(t=titulaire(practice_form="individuel")))


def test_r_repl_8_several_remplacants_must_not_overlap():
    other = rules.OtherContract(D(2026, 7, 10), D(2026, 7, 20), party="marc")
    result = check(t=titulaire(other_contracts=[other]))
    assert "R-REPL-8" in warning_rules(result) and result.valid  # UNCERTAIN: a warning
    later = rules.OtherContract(D(2026, 7, 16), D(2026, 7, 31), party="marc")
    assert "R-REPL-8" not in all_rules(check(t=titulaire(other_contracts=[later])))


# --- A2 ---------------------------------------------------------------------------------


def test_r_repl_9_titulaire_under_interdiction_cannot_be_replaced():
    ban = [rules.Period(D(2026, 7, 10), D(2026, 9, 10))]
    assert "R-REPL-9" in violation_rules(check(t=titulaire(interdiction_exercer=ban)))
    old = [rules.Period(D(2025, 1, 1), D(2025, 3, 1))]
    assert check(t=titulaire(interdiction_exercer=old)).valid


def test_r_repl_10_remplacant_under_interdiction_cannot_replace():
    ban = [rules.Period(D(2026, 7, 15), D(2026, 7, 15))]
    assert "R-REPL-10" in violation_rules(check(r=remplacant(interdiction_exercer=ban)))
    assert check(r=remplacant(interdiction_exercer=[rules.Period(D(2026, 7, 16), D(2026, 8, 1))])).valid


def test_r_repl_11_sas_ban_is_a_warning_on_either_side():
    ban = [rules.Period(D(2026, 7, 1), D(2026, 7, 5))]
    result = check(t=titulaire(sas_interdiction=ban), r=remplacant(sas_interdiction=ban))
    assert [f.rule for f in result.warnings] == ["R-REPL-11", "R-REPL-11"] and result.valid
    assert "R-REPL-11" not in all_rules(check())


def test_r_repl_12_deconventionne_blocks_by_default_and_is_configurable():
    sanction = [rules.Period(D(2026, 6, 1), D(2026, 12, 31))]
    assert "R-REPL-12" in violation_rules(check(t=titulaire(deconventionnement=sanction)))
    relaxed = rules.RuleConfig(deconventionnement_blocks=False)
    result = check(t=titulaire(deconventionnement=sanction), config=relaxed)
    assert result.valid and "R-REPL-12" in warning_rules(result)
    assert "R-REPL-12" not in all_rules(check())


# --- A3 ---------------------------------------------------------------------------------


def _two_others(start_b: dt.date) -> list[rules.OtherContract]:
    return [rules.OtherContract(D(2026, 7, 1), D(2026, 7, 10), party="zoe"),
            rules.OtherContract(start_b, D(2026, 7, 31), party="anne")]


def test_r_repl_13_at_most_two_titulaires_at_once():
    bad = check(r=remplacant(other_contracts=_two_others(D(2026, 7, 5))))
    assert "R-REPL-13" in violation_rules(bad)
    assert "05/07/2026" in next(f for f in bad.violations if f.rule == "R-REPL-13").message
    assert check(r=remplacant(other_contracts=_two_others(D(2026, 7, 11)))).valid


def test_r_repl_13a_counted_per_calendar_day_distinct_titulaires():
    # Two contracts with the same other titulaire count once.
    same = [rules.OtherContract(D(2026, 7, 1), D(2026, 7, 5), party="zoe"),
            rules.OtherContract(D(2026, 7, 3), D(2026, 7, 9), party="zoe")]
    assert check(r=remplacant(other_contracts=same)).valid
    # Day granularity: a contract ending the day another starts overlaps on that day.
    touching = [rules.OtherContract(D(2026, 7, 1), D(2026, 7, 10), party="zoe"),
                rules.OtherContract(D(2026, 7, 10), D(2026, 7, 20), party="anne")]
    assert "R-REPL-13" in violation_rules(check(r=remplacant(other_contracts=touching)))
    assert rules.counts_for_checks(rules.SIGNED) and not rules.counts_for_checks(rules.DRAFT)


# --- A4 ---------------------------------------------------------------------------------


def test_r_repl_14_diploma_required_before_start():
    assert "R-REPL-14" in violation_rules(check(r=remplacant(diploma_date=None)))
    assert "R-REPL-14" in violation_rules(check(r=remplacant(diploma_date=D(2026, 7, 2))))
    assert check(r=remplacant(diploma_date=D(2026, 7, 1))).valid


def test_r_repl_15_ordre_registration_required():
    assert "R-REPL-15" in violation_rules(check(r=remplacant(ordre_registered=False)))
    assert check(r=remplacant(ordre_registered=True)).valid


def test_r_repl_16_non_installed_needs_authorisation_over_whole_period():
    short = [rules.Autorisation(D(2025, 7, 10), D(2026, 7, 9))]
    bad = check(r=remplacant(autorisations=short))
    assert "R-REPL-16" in violation_rules(bad)
    assert "10/07/2026 au 15/07/2026" in bad.violations[0].message
    renewed = short + [rules.Autorisation(D(2026, 7, 10), D(2027, 7, 9))]
    assert check(r=remplacant(autorisations=renewed)).valid
    # An installed nurse needs none.
    assert check(r=remplacant(installed=True, autorisations=[])).valid


def test_r_repl_17_authorisation_valid_in_all_france_checked_by_dates_only():
    # No département is compared: any CDOI's authorisation covers the contract…
    assert check(r=remplacant(autorisations=[rules.Autorisation(D(2026, 1, 1), D(2026, 12, 31), issuer="cdoi")])).valid
    # …but an expired one does not.
    expired = [rules.Autorisation(D(2025, 1, 1), D(2025, 12, 31))]
    assert "R-REPL-16" in violation_rules(check(r=remplacant(autorisations=expired)))


def test_r_repl_18_prefet_or_ars_authorisation_only_before_2016_11_25():
    assert rules.autorisation_issuer_findings("prefet", D(2016, 11, 24)) == []
    assert rules.autorisation_issuer_findings("cdoi", D(2026, 1, 1)) == []
    [finding] = rules.autorisation_issuer_findings("ars", D(2016, 11, 25))
    assert finding.rule == "R-REPL-18" and "Ordre" in finding.message
    result = check(r=remplacant(autorisations=[rules.Autorisation(D(2026, 1, 1), D(2026, 12, 31), issuer="ars")]))
    assert "R-REPL-18" in warning_rules(result)


def test_r_repl_19_conventionne_requires_2400_hours_within_six_years():
    short = [rules.Experience(D(2024, 1, 1), D(2024, 12, 31), hours=Decimal(1500), setting="gcs")]
    bad = check(r=remplacant(experience=short))
    assert "R-REPL-19" in violation_rules(bad)
    assert "1\u202f500,00 h" in bad.violations[0].message
    # A non-conventionné titulaire: no experience condition.
    assert check(t=titulaire(conventionne=False), r=remplacant(experience=short)).valid
    enough = short + [rules.Experience(D(2023, 1, 1), D(2023, 12, 31), hours=Decimal(900), setting="structure_de_soins")]
    assert check(r=remplacant(experience=enough)).valid


def test_r_repl_19_window_counts_straddling_period_pro_rata():
    # 2019-07-01 … 2021-06-30 has 731 days; the window opens on 2020-07-01 (6 years before
    # the 2026-07-01 start): 365 days inside.
    old = rules.Experience(D(2019, 7, 1), D(2021, 6, 30), hours=Decimal(7310), setting="etablissement_de_soins")
    assert rules.counted_hours([old], D(2026, 7, 1)) == Decimal("3650.00")
    assert rules.counted_hours([old], D(2027, 7, 1)) == Decimal("0.00")


def test_r_repl_19a_other_settings_do_not_count_and_are_configurable():
    other = [rules.Experience(D(2022, 1, 1), D(2025, 12, 31), hours=Decimal(6000), setting="other")]
    result = check(r=remplacant(experience=other))
    assert "R-REPL-19" in violation_rules(result) and "R-REPL-19a" in warning_rules(result)
    permissive = rules.RuleConfig(counting_settings=frozenset(rules.SETTINGS))
    assert check(r=remplacant(experience=other), config=permissive).valid


def _profile(**kw) -> rules.ProfileFacts:
    base = dict(
        installed=False, diploma_date=D(2018, 7, 1), ordre_number="123456", rpps="10003456786",
        autorisations=[rules.Autorisation(D(2026, 1, 1), D(2026, 12, 31))],
        experience=[rules.Experience(D(2020, 1, 1), D(2024, 12, 31), hours=Decimal(5000),
                                     setting="etablissement_de_soins")],
        cpam_attestation_on=D(2026, 1, 10), cps_valid_to=D(2028, 1, 1), rcp_valid_to=D(2027, 6, 30),
        carpimko_affiliated_on=D(2026, 1, 20), urssaf_declared_on=D(2026, 1, 5),
        siret="73282932000074",
    )
    base.update(kw)
    return rules.ProfileFacts(**base)


TODAY = D(2026, 7, 1)


def _profile_rules(**kw) -> set[str]:
    return {f.rule for f in rules.profile_warnings(_profile(**kw), TODAY)}


def test_profile_baseline_has_no_warning():
    assert rules.profile_warnings(_profile(), TODAY) == []


def test_r_repl_16_expiring_authorisation_warns_with_its_deadline():
    expiring = [rules.Autorisation(D(2025, 8, 15), D(2026, 8, 14))]
    [finding] = rules.profile_warnings(_profile(autorisations=expiring), TODAY)
    assert finding.rule == "R-REPL-16" and finding.deadline == D(2026, 8, 14)
    renewed = expiring + [rules.Autorisation(D(2026, 8, 15), D(2027, 8, 14))]
    assert rules.profile_warnings(_profile(autorisations=renewed), TODAY) == []
    assert "R-REPL-16" in _profile_rules(autorisations=[])


def test_r_repl_20_cpam_experience_attestation_missing_warns():
    assert "R-REPL-20" in _profile_rules(cpam_attestation_on=None)
    assert "R-REPL-20" not in _profile_rules()


def test_r_repl_21_authorisation_and_contract_filed_with_titulaire_cpam():
    facts = rules.TransmissionFacts(start=D(2026, 7, 1), signed=True, sent_to_cdoi_titulaire_on=D(2026, 6, 20),
                                    sent_to_cdoi_remplacant_on=D(2026, 6, 20), sworn_titulaire=True,
                                    sworn_remplacant=True)
    assert [f.rule for f in rules.transmission_reminders(facts, TODAY)] == ["R-REPL-21"]
    done = rules.TransmissionFacts(**{**facts.__dict__, "sent_to_cpam_on": D(2026, 6, 21)})
    assert rules.transmission_reminders(done, TODAY) == []


def test_r_repl_22_urssaf_within_8_days_of_first_replacement():
    result = check(r=remplacant(urssaf_declared_on=None, other_contracts=[]))
    [finding] = [f for f in result.warnings if f.rule == "R-REPL-22"]
    assert finding.deadline == D(2026, 7, 9) and result.valid
    late = check(r=remplacant(urssaf_declared_on=D(2026, 7, 20), other_contracts=[]))
    assert "R-REPL-22" in warning_rules(late)
    assert "R-REPL-22" not in all_rules(check(r=remplacant(urssaf_declared_on=D(2026, 7, 3), other_contracts=[])))
    assert "R-REPL-22" in _profile_rules(urssaf_declared_on=None)


def test_r_repl_23_carpimko_affiliation_missing_warns():
    assert "R-REPL-23" in _profile_rules(carpimko_affiliated_on=None)
    assert "R-REPL-23" not in _profile_rules()


def test_r_repl_24_rcp_over_the_whole_contract():
    assert "R-REPL-24" in warning_rules(check(r=remplacant(rcp_valid_to=None)))
    assert "R-REPL-24" in warning_rules(check(r=remplacant(rcp_valid_to=D(2026, 7, 10))))
    assert "R-REPL-24" not in all_rules(check(r=remplacant(rcp_valid_to=D(2026, 7, 15))))
    assert "R-REPL-24" in _profile_rules(rcp_valid_to=D(2026, 7, 20))


def test_r_repl_25_salaried_needs_employer_authorisation_as_warning():
    result = check(r=remplacant(salaried=True, employer_authorised=False))
    assert result.valid and "R-REPL-25" in warning_rules(result)
    assert "R-REPL-25" not in all_rules(check(r=remplacant(salaried=True, employer_authorised=True)))
    assert "R-REPL-25" in _profile_rules(salaried=True)


def test_r_repl_26_authorisation_does_not_prove_experience():
    # A valid authorisation with no experience still fails for a conventionné titulaire.
    result = check(r=remplacant(experience=[]))
    assert "R-REPL-19" in violation_rules(result) and "R-REPL-16" not in violation_rules(result)
    assert check(t=titulaire(conventionne=False), r=remplacant(experience=[])).valid


# --- A5 ---------------------------------------------------------------------------------


def test_r_repl_27_written_contract_beyond_24_hours_or_repeated():
    assert "R-REPL-27" in violation_rules(check(c=contract(written=False)))
    day = dict(start=dt.datetime(2026, 7, 2, 8), end=dt.datetime(2026, 7, 2, 20), written=False)
    assert "R-REPL-27" in violation_rules(check(c=contract(repeated=True, **day)))
    assert check(c=contract(repeated=False, **day)).valid


def test_r_repl_28_any_contract_written_even_short():
    day = dict(start=dt.datetime(2026, 7, 2, 8), end=dt.datetime(2026, 7, 2, 20))
    assert "R-REPL-28" in warning_rules(check(c=contract(written=False, **day)))
    assert "R-REPL-28" not in all_rules(check(c=contract(written=True, **day)))


def _transmission(**kw) -> rules.TransmissionFacts:
    base = dict(start=D(2026, 7, 10), signed=True, sent_to_cpam_on=D(2026, 6, 1),
                sworn_titulaire=True, sworn_remplacant=True)
    base.update(kw)
    return rules.TransmissionFacts(**base)


def test_r_repl_29_both_parties_send_to_their_cdoi():
    after_start = rules.transmission_reminders(_transmission(sent_to_cdoi_titulaire_on=D(2026, 6, 1)), D(2026, 7, 12))
    assert [f.rule for f in after_start] == ["R-REPL-29"] and "remplaçant" in after_start[0].message
    both = _transmission(sent_to_cdoi_titulaire_on=D(2026, 6, 1), sent_to_cdoi_remplacant_on=D(2026, 6, 2))
    assert rules.transmission_reminders(both, D(2026, 7, 12)) == []


def test_r_repl_30_cdoi_observations_within_one_month_silence_approves():
    draft = _transmission(signed=False, draft_submitted_on=D(2026, 5, 15))
    [waiting] = rules.transmission_reminders(draft, D(2026, 6, 1))
    assert waiting.rule == "R-REPL-30" and waiting.deadline == D(2026, 6, 15)
    [silent] = rules.transmission_reminders(draft, D(2026, 6, 16))
    assert "silence vaut approbation" in silent.message
    answered = _transmission(signed=False, draft_submitted_on=D(2026, 5, 15), cdoi_observations_on=D(2026, 5, 30))
    assert rules.transmission_reminders(answered, D(2026, 6, 16)) == []


def test_r_repl_31_send_before_first_day_is_a_reminder_not_a_deadline():
    before = rules.transmission_reminders(_transmission(), D(2026, 7, 1))
    assert {f.rule for f in before} == {"R-REPL-31"} and before[0].deadline == D(2026, 7, 10)
    # A draft has nothing to send yet.
    assert rules.transmission_reminders(_transmission(signed=False), D(2026, 7, 1)) == []


def test_r_repl_32_three_signed_copies():
    assert len(rules.SIGNED_COPIES) == 3
    assert "le conseil départemental de l'Ordre" in rules.SIGNED_COPIES


def test_r_repl_33_sworn_statements_of_no_counter_letter():
    base = dict(sent_to_cdoi_titulaire_on=D(2026, 6, 1), sent_to_cdoi_remplacant_on=D(2026, 6, 1))
    assert [f.rule for f in rules.transmission_reminders(_transmission(sworn_remplacant=False, **base), TODAY)] == ["R-REPL-33"]
    assert rules.transmission_reminders(_transmission(**base), TODAY) == []


# --- A6 ---------------------------------------------------------------------------------

FULL_CLAUSES = dict(motif="congés", place="cabinet", means="locaux, logiciel", basis="billed",
                    payment_method="virement", payment_schedule="le 10 du mois suivant",
                    early_termination="préavis de 8 jours")


def test_r_repl_34_every_clause_of_the_oni_model_is_filled():
    assert rules.missing_clauses(FULL_CLAUSES) == []
    missing = rules.missing_clauses({**FULL_CLAUSES, "means": "", "early_termination": None})
    assert [f.rule for f in missing] == ["R-REPL-34", "R-REPL-34"]
    assert "résiliation anticipée" in missing[1].message


def test_r_repl_35_basis_billed_or_collected_explicit():
    assert [f.rule for f in rules.missing_clauses({**FULL_CLAUSES, "basis": ""})] == ["R-REPL-35"]
    assert rules.missing_clauses({**FULL_CLAUSES, "basis": "collected"}) == []


def test_r_repl_36_travel_left_out_of_the_cabinet_share():
    assert "R-REPL-36" in warning_rules(check(c=contract(travel_share_percent=Decimal(10))))
    assert "R-REPL-36" not in all_rules(check(c=contract(travel_share_percent=Decimal(0))))
    terms = retro.Terms(Decimal(10), travel_to_remplacant=True)
    assert terms.travel_share == 0


def test_r_repl_37_high_share_message_asks_for_justification():
    result = check(c=contract(cabinet_share_percent=Decimal(30)))
    assert "R-REPL-37" in result.warnings[0].message
    assert "R-REPL-37" not in str(check().warnings)


def test_r_repl_38_signed_contract_never_edited():
    assert rules.clauses_editable(rules.DRAFT)
    for status in (rules.SIGNED, rules.TRANSMITTED, rules.ENDED, rules.TERMINATED):
        assert not rules.clauses_editable(status)
    assert rules.can_transition(rules.DRAFT, rules.SIGNED)
    assert not rules.can_transition(rules.SIGNED, rules.DRAFT)
    assert not rules.can_transition(rules.ENDED, rules.TRANSMITTED)


# --- A7 ---------------------------------------------------------------------------------


def test_r_repl_39_non_installed_works_at_the_titulaire_practice():
    assert "R-REPL-39" in violation_rules(check(c=contract(place="cabinet_remplacant")))
    assert check(r=remplacant(installed=True, autorisations=[]), c=contract(place="cabinet_remplacant")).valid
    assert check(c=contract(place="domicile")).valid


def test_r_repl_40_acts_billed_under_the_titulaire_identity():
    [h] = rules.handover_plan([rules.VisitRef(5, 1, D(2026, 7, 3))], 1, 2, rules.Period(D(2026, 7, 1), D(2026, 7, 9)))
    assert h.on_behalf_of == 1
    assert rules.handover_plan([rules.VisitRef(5, 1, D(2026, 7, 10))], 1, 2, rules.Period(D(2026, 7, 1), D(2026, 7, 9))) == []
    assert "R-REPL-40" in _profile_rules(cps_valid_to=None)


def test_r_repl_41_titulaire_collects_and_pays_back_less_share():
    acts = [retro.Act(D(2026, 7, 1), Decimal("100.00"))]
    totals = retro.compute(acts, retro.Terms(Decimal(10))).totals
    assert totals.retained == Decimal("10.00") and totals.retrocession == Decimal("90.00")
    assert retro.compute(acts, retro.Terms(Decimal(0))).totals.retrocession == Decimal("100.00")


def test_r_repl_42_performer_recorded_besides_billing_identity():
    [h] = rules.handover_plan([rules.VisitRef(5, 1, D(2026, 7, 3))], 1, 2, rules.Period(D(2026, 7, 1), D(2026, 7, 9)))
    assert (h.nurse, h.on_behalf_of) == (2, 1)
    assert rules.handover_plan([rules.VisitRef(5, 3, D(2026, 7, 3))], 1, 2, rules.Period(D(2026, 7, 1), D(2026, 7, 9))) == []


def test_r_repl_43_access_ends_after_the_contract_and_its_margin():
    window = rules.access_window(rules.Period(D(2026, 7, 1), D(2026, 7, 15)), 3)
    assert window == rules.Period(D(2026, 6, 28), D(2026, 7, 18))
    assert not window.overlaps(D(2026, 7, 19), D(2026, 7, 19))
    assert rules.access_window(rules.Period(D(2026, 7, 1), D(2026, 7, 15)), -5).start == D(2026, 7, 1)


def test_r_repl_44_non_compete_after_three_months_cumulated_with_titulaire():
    spring = [rules.OtherContract(D(2026, 3, 1), D(2026, 5, 31), party="claire")]
    result = check(r=remplacant(other_contracts=spring))
    assert "R-REPL-44" in warning_rules(result) and result.valid
    other_titulaire = [rules.OtherContract(D(2026, 3, 1), D(2026, 5, 31), party="zoe")]
    assert "R-REPL-44" not in all_rules(check(r=remplacant(other_contracts=other_titulaire)))


def test_r_repl_45_non_compete_clause_limited_in_time_and_space():
    assert "R-REPL-45" in warning_rules(check(c=contract(non_compete_clause=True, non_compete_months=24)))
    assert "R-REPL-45" not in all_rules(check(c=contract(non_compete_clause=True, non_compete_months=24,
                                                         non_compete_radius_km=5)))


# --- A8 ---------------------------------------------------------------------------------


def test_r_repl_46_rate_is_free_no_violation_for_any_share():
    assert check(c=contract(cabinet_share_percent=Decimal(40))).valid
    assert check(c=contract(cabinet_share_percent=Decimal(0))).valid


def test_r_repl_47_share_above_usual_idel_range_is_a_warning():
    assert "R-REPL-47" in warning_rules(check(c=contract(cabinet_share_percent=Decimal("10.5"))))
    assert "R-REPL-47" not in all_rules(check(c=contract(cabinet_share_percent=Decimal(10))))


def test_r_repl_48_travel_share_separate_and_monthly_cap():
    acts = [retro.Act(D(2026, 7, 1), Decimal("100.00"), Decimal("20.00"))]
    assert retro.compute(acts, retro.Terms(Decimal(10))).totals.retained == Decimal("10.00")
    separate = retro.Terms(Decimal(10), travel_share_percent=Decimal(50))
    assert retro.compute(acts, separate).totals.retained == Decimal("20.00")
    capped = retro.Terms(Decimal(10), travel_share_percent=Decimal(50), monthly_cap=Decimal("15.00"))
    assert retro.compute(acts, capped).totals.retained == Decimal("15.00")


# --- A9 ---------------------------------------------------------------------------------


def test_r_fisc_1_statement_says_bnc():
    notes = dict(retro.TAX_NOTES)
    assert "BNC" in notes["R-FISC-1"]
    assert "TVA" not in notes["R-FISC-1"]


def test_r_fisc_2_micro_bnc_threshold_by_year():
    assert retro.micro_bnc_threshold(2022)[0] == Decimal("72600")
    assert retro.micro_bnc_threshold(2025)[0] == Decimal("77700")
    assert retro.micro_bnc_threshold(2026)[0] == Decimal("83600")
    assert retro.micro_bnc_threshold(2019) is None


def test_r_fisc_3_allowance_34_percent_minimum_305():
    assert retro.micro_bnc_allowance(Decimal("10000")) == Decimal("3400.00")
    assert retro.micro_bnc_allowance(Decimal("500")) == Decimal("305")
    assert retro.micro_bnc_allowance(Decimal("200")) == Decimal("200")


def test_r_fisc_4_two_consecutive_years_over_threshold_moves_to_reel():
    one = {2025: Decimal("80000"), 2024: Decimal("50000")}
    assert retro.micro_bnc_regime(one, 2026) == "micro"
    two = {2025: Decimal("80000"), 2024: Decimal("78000")}
    assert retro.micro_bnc_regime(two, 2026) == "reel"


def test_r_fisc_5_retrocession_exempt_from_vat():
    assert "exonérée" in dict(retro.TAX_NOTES)["R-FISC-5"]
    assert "soumise" not in dict(retro.TAX_NOTES)["R-FISC-5"]


def test_r_fisc_6_retained_share_subject_to_vat_unless_occasional():
    assert retro.vat_applies_to_retained(occasional=False, retained=Decimal("10"))
    assert not retro.vat_applies_to_retained(occasional=True, retained=Decimal("10"))
    assert not retro.vat_applies_to_retained(occasional=False, retained=Decimal("0"))


def test_r_fisc_7_das2_note_with_uncertain_threshold():
    note = dict(retro.TAX_NOTES)["R-FISC-7"]
    assert "DAS2" in note and "à confirmer" in note
    assert "R-FISC-7" not in dict(retro.TAX_NOTES)["R-FISC-5"]


# --- A10 --------------------------------------------------------------------------------


def test_r_coll_1_collaboration_is_not_managed_as_a_replacement():
    # A contract with no unavailability (working alongside, as a collaborateur would) is
    # not a replacement.
    assert "R-REPL-3" in violation_rules(check(t=titulaire(unavailability=[])))
    assert check().valid
    assert "R-COLL-1" in rules.__doc__


def test_r_coll_2_remplacant_works_in_place_of_not_alongside():
    joint = check(t=titulaire(own_visits=[D(2026, 7, 2)]))
    assert {"R-REPL-5", "R-REPL-6"} <= violation_rules(joint)
    assert check(t=titulaire(own_visits=[D(2026, 6, 2)])).valid


def test_r_coll_3_collaboration_contracts_are_out_of_scope_written_elsewhere():
    assert "R-COLL-3" in rules.__doc__
    # A replacement itself is always written (R-REPL-28), unlike what a collaboration needs.
    assert "R-REPL-28" not in all_rules(check())


def test_r_coll_4_recurring_weekly_pattern_flagged():
    mondays = [rules.OtherContract(D(2026, 6, d), D(2026, 6, d), party="claire") for d in (1, 8, 15)]
    short = contract(start=dt.datetime(2026, 7, 6, 8), end=dt.datetime(2026, 7, 6, 20), repeated=True)
    result = check(r=remplacant(other_contracts=mondays), c=short)
    assert "R-COLL-4" in warning_rules(result) and "lundi" in result.warnings[-1].message
    assert "R-COLL-4" not in all_rules(check(r=remplacant(other_contracts=mondays[:1]), c=short))


def test_r_coll_5_no_zonage_check_for_a_remplacant():
    assert "R-COLL-5" in rules.__doc__
    # Any place of practice is acceptable as far as zonage goes.
    assert check(c=contract(place="domicile")).valid


# --- A11 --------------------------------------------------------------------------------


def test_r_id_1_rpps_is_eleven_digits():
    assert rules.rpps_findings("10003456786") == ([], [])
    errors, _ = rules.rpps_findings("1000345678")
    assert errors[0].rule == "R-ID-1"
    assert rules.rpps_findings("1000345678A")[0][0].rule == "R-ID-1"


def test_r_id_2_rpps_luhn_failure_is_only_a_warning():
    errors, warnings = rules.rpps_findings("10003456780")
    assert errors == [] and warnings[0].rule == "R-ID-2"
    assert rules.luhn_ok("10003456786")


def test_r_id_3_idnat_ps_is_8_plus_rpps():
    assert rules.idnat_ps("10003456786") == "810003456786"
    assert len(rules.idnat_ps("10003456786")) == 12


def test_r_id_4_adeli_optional_nine_characters():
    assert rules.adeli_findings("") == []
    assert rules.adeli_findings("751234567") == []
    assert rules.adeli_findings("75123")[0].rule == "R-ID-4"


def test_r_id_5_nir_key_with_stdnum():
    assert rules.nir_findings("295109912611193") == []
    assert rules.nir_findings("295109912611194")[0].rule == "R-ID-5"


def test_r_id_6_siret_with_stdnum():
    assert rules.siret_findings("73282932000074") == []
    assert rules.siret_findings("73282932000075")[0].rule == "R-ID-6"
    assert "R-ID-6" in _profile_rules(siret="12345678901234")


def test_r_id_7_authorisation_ends_one_year_after_issue():
    assert rules.autorisation_default_end(D(2026, 3, 1)) == D(2027, 2, 28)
    assert rules.autorisation_default_end(D(2024, 2, 29)) == D(2025, 2, 27)


# --- A12 R-RETRO ------------------------------------------------------------------------


def test_r_retro_1_retrocession_is_fees_plus_travel_minus_retained():
    acts = [retro.Act(D(2026, 7, 1), Decimal("12.60"), Decimal("2.75"))]
    t = retro.compute(acts, retro.Terms(Decimal(10))).totals
    assert (t.fees, t.travel, t.retained, t.retrocession) == (
        Decimal("12.60"), Decimal("2.75"), Decimal("1.26"), Decimal("14.09"))
    assert retro.compute([], retro.Terms(Decimal(10))).as_json() == {
        "fees": "0.00", "travel": "0.00", "retained": "0.00", "retrocession": "0.00"}


def test_r_retro_2_each_product_rounded_once_half_up_per_month():
    # 3 × 3.15 = 9.45 × 5 % = 0.4725 → 0.47 once, not 3 × 0.16 = 0.48.
    acts = [retro.Act(D(2026, 7, d), Decimal("3.15")) for d in (1, 2, 3)]
    assert retro.compute(acts, retro.Terms(Decimal(5))).totals.retained == Decimal("0.47")
    # Half up: 0.125 → 0.13.
    assert retro.compute([retro.Act(D(2026, 7, 1), Decimal("1.25"))], retro.Terms(Decimal(10))).totals.retained == Decimal("0.13")
    # Travel at the cabinet share when it does not go to the remplaçant.
    shared = retro.Terms(Decimal(10), travel_to_remplacant=False)
    assert retro.compute([retro.Act(D(2026, 7, 1), Decimal("10.00"), Decimal("5.00"))], shared).totals.retained == Decimal("1.50")


def test_r_retro_3_monthly_cap_applies_per_calendar_month():
    acts = [retro.Act(D(2026, 7, 1), Decimal("1000.00")), retro.Act(D(2026, 8, 1), Decimal("100.00"))]
    r = retro.compute(acts, retro.Terms(Decimal(10), monthly_cap=Decimal("50.00")))
    assert [m.totals.retained for m in r.months] == [Decimal("50.00"), Decimal("10.00")]
    assert r.months[0].totals.capped and not r.months[1].totals.capped


def test_r_retro_4_period_totals_are_sums_of_months():
    acts = [retro.Act(D(2026, 7, 31), Decimal("1.25")), retro.Act(D(2026, 8, 1), Decimal("1.25"))]
    r = retro.compute(acts, retro.Terms(Decimal(10)))
    # Each month rounds its own 0.125 → 0.13; the period is 0.26, not round(0.25).
    assert r.totals.retained == Decimal("0.26")
    assert r.totals.retained == sum(m.totals.retained for m in r.months)


def test_r_retro_5_credit_note_reduces_the_month_it_is_recorded_in():
    acts = [retro.Act(D(2026, 7, 3), Decimal("50.00")), retro.Act(D(2026, 8, 2), Decimal("-20.00"))]
    r = retro.compute(acts, retro.Terms(Decimal(10)))
    assert [m.totals.fees for m in r.months] == [Decimal("50.00"), Decimal("-20.00")]
    assert r.totals.retrocession == Decimal("27.00")


def test_r_retro_6_year_to_date_against_threshold():
    ytd = retro.year_to_date(2026, Decimal("41800"))
    assert ytd.threshold == Decimal("83600") and ytd.percent == Decimal("50.0") and not ytd.over
    assert retro.year_to_date(2026, Decimal("90000")).over
    assert retro.year_to_date(2010, Decimal("1")).threshold is None


# --- the meta-test ----------------------------------------------------------------------


def _rule_ids() -> list[str]:
    text = (ROOT / "docs" / "domain" / "remplacement.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^- (R-[A-Z]+-\d+[a-z]?):", text, flags=re.M)))


def test_every_rule_id_is_cited_in_code_and_named_by_a_test():
    ids = _rule_ids()
    assert len(ids) >= 70
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "replacements").rglob("*.py")
                     if "migrations" not in p.parts)
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    test_names = set(re.findall(r"^def (test_\w+)", tests, flags=re.M))
    for rule in ids:
        assert re.search(re.escape(rule) + r"(?![0-9a-z])", code), f"{rule} not cited in replacements/"
        prefix = "test_" + rule.lower().replace("-", "_") + "_"
        assert any(n.startswith(prefix) for n in test_names), f"no test named after {rule}"


def test_local_copy_of_rules_matches_shared_when_present():
    shared = ROOT.parent / "shared" / "domain" / "remplacement.md"
    if shared.exists():
        assert shared.read_text(encoding="utf-8") == (ROOT / "docs" / "domain" / "remplacement.md").read_text(encoding="utf-8")
