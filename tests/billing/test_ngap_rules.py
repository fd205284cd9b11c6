"""One test (at least) per rule id of docs/domain/ngap.md, named after it,
including the UNCERTAIN readings (which must also show in
`Quote.uncertain_rules`). Amounts are checked to the cent."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing.ngap import PatientFacts, QuoteError, quote, quote_day, tariffs
from billing.ngap import rules as R
from billing.ngap.engine import money

from .ngap_helpers import (
    ADULT,
    SATURDAY,
    SUNDAY,
    TUESDAY,
    D,
    act,
    cat,
    codes,
    line,
    passage,
    priced,
    summary,
)

HOME = {"place": "domicile", "distance_km": 1, "same_agglomeration": True}
CABINET = {"place": "cabinet"}
BSB_PATIENT = PatientFacts(birth_date=date(1936, 2, 2), bsi_level="BSB")


def fresh_tariffs():
    """The project's tariffs without the engine's per-table memo, for a test
    that switches a reading of rules.py."""
    return tariffs.loads(tariffs.DATA_FILE.read_text("utf-8"))


# ---------------------------------------------------------------- art. 11B


def test_ngap_11b_1_highest_full_second_half_others_dropped():
    q = priced(act("AMI", 1), act("AMI", 4), act("AMI", 2), **CABINET)
    assert summary(q) == [
        ("AMI", "4", "1", "12.60"),
        ("AMI", "2", "0.5", "3.15"),
        ("AMI", "1", "0", "0.00"),
    ]
    dropped = q.lines[-1]
    assert dropped.rules == ("NGAP-11B-1",)
    assert q.total == D("15.75")


def test_ngap_11b_2_one_line_per_act_never_merged():
    q = priced(act("AMI", 4), act("AMI", 1), **CABINET)
    assert [ln.coefficient for ln in q.lines] == [D(4), D(1)]
    assert "NGAP-11B-2" in q.lines[1].rules


def test_ngap_11b_3_half_up_rounding_per_line():
    q = priced(act("AMI", 4), act("AMI", 1), **CABINET)
    assert q.lines[1].amount == D("1.58")  # 1.575 -> 1.58
    assert "NGAP-11B-3" in q.uncertain_rules
    assert money(D("4.725")) == D("4.73")
    assert money(D("2.3625")) == D("2.36")


def test_ngap_11b_x1_perfusion_forfaits_cumulate_other_act_is_second():
    # ILM n°327: AMI 10 + AMI 6 + AMI 6 + AMI 2 à 50 %.
    q = priced(cat("XVI-2-4-PERFCOURT"), cat("XVI-2-4-SUPPLH"), cat("XVI-2-4-SUPPLH"),
               cat("XVI-1-2-AUTREPS"), **CABINET)
    assert summary(q) == [
        ("AMI", "10", "1", "31.50"),
        ("AMI", "6", "1", "18.90"),
        ("AMI", "6", "1", "18.90"),
        ("AMI", "2", "0.5", "3.15"),
    ]
    assert all("NGAP-11B-X1" in ln.rules for ln in q.lines[:3])


def test_ngap_11b_x1_perfusion_group_is_first_whatever_the_coefficients():
    q = priced(cat("XVI-2-3-ORGSURV"), act("AMI", 5), **CABINET)
    assert summary(q) == [("AMI", "4", "1", "12.60"), ("AMI", "5", "0.5", "7.88")]


def test_ngap_11b_x2_5bis_group_halved_as_second_act():
    # CPAM: AMI 3 + (AMI 1 + AMI 1)/2
    q = priced(act("AMI", 3), cat("XVI-2-5BIS-SURVDIAB"), cat("XVI-2-5BIS-INSULINE"), **CABINET)
    assert summary(q) == [
        ("AMI", "3", "1", "9.45"),
        ("AMI", "1", "0.5", "1.58"),
        ("AMI", "1", "0.5", "1.58"),
    ]
    assert all("NGAP-11B-X2" in ln.rules for ln in q.lines[1:])


def test_ngap_11b_x2_5bis_group_first_other_act_halved():
    # CPAM: (AMI 1 + AMI 1) + AMI 1,5/2 (here an aerosol, not a blood sample)
    q = priced(act("AMI", 1, group="5bis"), act("AMI", 1, group="5bis"),
               cat("XVI-1-5-AEROSOL"), **CABINET)
    assert summary(q) == [
        ("AMI", "1", "1", "3.15"),
        ("AMI", "1", "1", "3.15"),
        ("AMI", "1.5", "0.5", "2.36"),
    ]


def test_ngap_11b_x2_with_blood_sample_keeps_full_rate_uncertain():
    q = priced(cat("XVI-2-5BIS-SURVDIAB"), cat("XVI-2-5BIS-INSULINE"), cat("XVI-1-1-PVD"),
               **CABINET)
    assert [ln.rate for ln in q.lines] == [1, 1, 1]
    assert {"NGAP-11B-X2", "NGAP-11B-X3"} <= set(q.uncertain_rules)


def test_ngap_11b_x2_other_reading_halves_the_blood_sample(monkeypatch):
    """The CPAM example's reading, one constant away: the 5bis group is the
    first act and the sample the second (50 %)."""
    monkeypatch.setattr(R, "PRELEVEMENT_FULL_RATE_WITH_5BIS", False)
    q = quote(passage(cat("XVI-2-5BIS-SURVDIAB"), cat("XVI-2-5BIS-INSULINE"),
                      cat("XVI-1-1-PVD"), **CABINET), fresh_tariffs())
    assert [(ln.coefficient, ln.rate) for ln in q.lines] == [(1, 1), (1, 1), (D("1.5"), HALF)]
    assert "NGAP-11B-X2" in q.uncertain_rules


def test_ngap_11b_x3_blood_sample_full_rate_two_acts_at_most():
    q = priced(act("AMI", 2), act("AMI", 1.5, tags=["prelevement_veineux"]),
               act("AMI", 1, tags=["injection"]), **CABINET)
    assert summary(q) == [
        ("AMI", "2", "1", "6.30"),
        ("AMI", "1.5", "1", "4.73"),
        ("AMI", "1", "0", "0.00"),
    ]
    assert "NGAP-11B-X3" in q.uncertain_rules
    assert any("NGAP-11B-X3" in w for w in q.warnings)


def test_ngap_11b_x3_blood_sample_with_a_bigger_act():
    q = priced(act("AMI", 4), cat("XVI-1-1-PVD"), **CABINET)
    assert summary(q) == [("AMI", "4", "1", "12.60"), ("AMI", "1.5", "1", "4.73")]


def test_ngap_11b_x3_other_reading_sample_beside_the_1_plus_half(monkeypatch):
    """The derogation without the "two acts at most" practice: the sample at
    full rate, the other acts in 1 + 1/2."""
    monkeypatch.setattr(R, "PRELEVEMENT_TAKES_A_SLOT", False)
    q = quote(passage(act("AMI", 2), act("AMI", 1.5, tags=["prelevement_veineux"]),
                      act("AMI", 1, tags=["injection"]), **CABINET), fresh_tariffs())
    assert summary(q) == [
        ("AMI", "2", "1", "6.30"),
        ("AMI", "1.5", "1", "4.73"),
        ("AMI", "1", "0.5", "1.58"),
    ]
    assert "NGAP-11B-X3" in q.uncertain_rules


def test_ngap_11b_x3_declared_not_exempt_is_ranked():
    q = priced(act("AMI", 4), act("AMI", 1.5, tags=["prelevement_veineux"], exempt=False),
               **CABINET)
    assert [ln.rate for ln in q.lines] == [1, HALF]


HALF = Decimal("0.5")


def test_ngap_11b_x4_ais_seance_and_heavy_dressing_full_rate():
    q = priced(act("AIS", 3), act("AMI", 4, tags=["pansement_lourd_complexe"]), **HOME)
    assert summary(q)[:2] == [("AIS", "3", "1", "7.95"), ("AMX", "4", "1", "12.60")]
    assert "NGAP-11B-X4" in q.lines[1].rules


def test_ngap_11b_x5_vaccination_full_rate_at_home_only():
    vaccine = cat("XVI-1-1-VACCPRES")
    home = priced(act("AMI", 4), act("AMI", 1), vaccine, **HOME)
    assert [(ln.code, ln.coefficient, ln.rate) for ln in home.lines if ln.code == "AMI"] == [
        ("AMI", D(4), 1), ("AMI", D("2.4"), 1), ("AMI", D(1), HALF)]
    assert "NGAP-11B-X5" in home.uncertain_rules
    office = priced(act("AMI", 4), act("AMI", 1), vaccine, **CABINET)
    assert [ln.rate for ln in office.lines] == [1, HALF, 0]


def test_ngap_11b_x6_topical_analgesia_full_rate_with_its_dressing():
    q = priced(cat("XVI-1-3-ANALG"), cat("XVI-1-3-ULCERE60"), **CABINET)
    assert summary(q) == [("AMI", "4", "1", "12.60"), ("AMI", "1.1", "1", "3.47")]
    assert "NGAP-11B-X6" in q.uncertain_rules
    without = priced(cat("XVI-1-3-ANALG"), act("AMI", 1), **CABINET)
    assert [ln.rate for ln in without.lines] == [1, HALF]


def test_ngap_11b_x7_post_op_removals_full_rate_with_the_seance():
    q = priced(cat("XVI-2-7-SURVPO"), cat("XVI-2-7-RETSONDE"), cat("XVI-2-7-DRAIN"), **CABINET)
    assert [ln.rate for ln in q.lines] == [1, 1, 1]
    assert q.total == D("12.29") + D("8.82") + D("6.30")
    assert "NGAP-11B-X7" in q.uncertain_rules
    alone = priced(cat("XVI-2-7-DRAIN"), act("AMI", 4), **CABINET)
    assert [ln.rate for ln in alone.lines] == [1, HALF]


def test_ngap_11b_x8_bsi_forfait_and_full_rate_amx():
    q = priced(act("BSC"), cat("XVI-2-3-PERFCOURT"), patient=BSB_PATIENT, **HOME)
    assert summary(q)[:2] == [("BSC", None, "1", "28.70"), ("AMX", "9", "1", "28.35")]
    assert "NGAP-11B-X8" in q.lines[1].rules


# ---------------------------------------------------------------- BSI


def test_ngap_bsi_1_one_forfait_per_patient_per_day():
    q = priced(act("BSB"), patient=BSB_PATIENT, bsi_forfait_already_billed_today=True, **HOME)
    assert summary(q)[0] == ("BSB", None, "0", "0.00")
    assert q.lines[0].rules == ("NGAP-BSI-1",)
    assert codes(q) == ["IFI"]  # still a dependence passage
    twice = priced(act("BSB"), act("BSB"), patient=BSB_PATIENT, **HOME)
    assert [ln.rate for ln in twice.lines if ln.code == "BSB"] == [1, 0]


def test_ngap_bsi_1_day_quote_bills_the_forfait_once_per_patient():
    patient = PatientFacts(birth_date=date(1936, 2, 2), bsi_level="BSB", id="p1")
    day = quote_day([
        passage(act("BSB"), at="08:30", patient=patient, **HOME),
        passage(act("BSB"), at="19:00", patient=patient, **HOME),
    ])
    assert [summary(q)[0] for q in day.seances] == [
        ("BSB", None, "1", "18.20"), ("BSB", None, "0", "0.00")]
    assert day.total == D("18.20") + D("2.75") * 2


def test_ngap_bsi_2_no_ais_seance_beside_a_forfait():
    q = priced(act("BSB"), act("AIS", 3), patient=BSB_PATIENT, **HOME)
    assert ("AIS", "3", "0", "0.00") in summary(q)
    assert "NGAP-BSI-2" in q.uncertain_rules


def test_ngap_bsi_3_bsi_assessment_di():
    initial = priced(cat("XVI-1-12-DIBSIINI"), patient=BSB_PATIENT, **HOME)
    assert summary(initial) == [("DI", "2.5", "1", "25.00"), ("IFI", None, "1", "2.75")]
    renewal = priced(act("DI", 1.2), act("AMI", 1), patient=BSB_PATIENT, **CABINET)
    assert summary(renewal)[0] == ("DI", "1.2", "1", "12.00")
    assert "NGAP-BSI-3" in renewal.lines[0].rules


def test_ngap_bsi_4_ifi_instead_of_ifd_for_dependence_passages():
    q = priced(act("BSB"), patient=BSB_PATIENT, **HOME)
    assert codes(q) == ["BSB", "IFI"]
    assert line(q, "IFI").rules == ("NGAP-BSI-4",)
    # A technical passage later in the day (forfait already billed): IFD.
    later = priced(act("AMI", 1), patient=BSB_PATIENT, bsi_forfait_already_billed_today=True,
                   **HOME)
    assert "IFD" in codes(later) and "IFI" not in codes(later)
    # No daily cap on the number of IFI (reading): a fifth dependence passage
    # of the same nurse's day still bills its IFI.
    patients = [PatientFacts(birth_date=date(1936, 2, 2), bsi_level="BSB", id=str(i))
                for i in range(5)]
    day = quote_day([passage(act("BSB"), patient=pt, at=f"{8 + i}:00", **HOME)
                     for i, pt in enumerate(patients)])
    assert [codes(s).count("IFI") for s in day.seances] == [1, 1, 1, 1, 1]


def test_ngap_bsi_5_degressive_amx_at_half_beside_the_forfait():
    q = priced(act("BSB"), act("AMI", 1, tags=["injection"]), patient=BSB_PATIENT, **HOME)
    assert summary(q) == [
        ("BSB", None, "1", "18.20"),
        ("AMX", "1", "0.5", "1.58"),
        ("IFI", None, "1", "2.75"),
    ]
    assert "NGAP-BSI-5" in q.uncertain_rules
    two = priced(act("BSB"), cat("XVI-1-1-SC"), cat("XVI-1-1-IM"), patient=BSB_PATIENT, **HOME)
    assert [ln.rate for ln in two.lines if ln.code == "AMX"] == [HALF, 0]


def test_ngap_bsi_5_full_rate_list_then_degressive():
    q = priced(act("BSB"), cat("XVI-1-3-ESCARRE"), cat("XVI-1-1-SC"), patient=BSB_PATIENT,
               **HOME)
    assert [(ln.code, ln.rate) for ln in q.lines][:3] == [("BSB", 1), ("AMX", 1), ("AMX", HALF)]


def test_ngap_bsi_5_full_rate_list_follows_1_plus_half_among_themselves():
    # Forum example: AIS 3 + AMX 4 + AMX 4/2
    q = priced(act("AIS", 3), cat("XVI-1-3-ESCARRE"), cat("XVI-1-3-AMPUT"), **HOME)
    assert [(ln.code, ln.rate) for ln in q.lines][:3] == [("AIS", 1), ("AMX", 1), ("AMX", HALF)]
    assert "NGAP-BSI-5" in q.uncertain_rules


def test_ngap_bsi_5_later_passage_of_a_bsi_day_bills_amx():
    q = priced(act("AMI", 1), patient=BSB_PATIENT, bsi_forfait_already_billed_today=True,
               **HOME)
    assert q.lines[0].code == "AMX"


def test_ngap_bsi_6_no_mau_with_bsi():
    q = priced(act("BSB"), act("AMI", 1), patient=BSB_PATIENT, **HOME)
    assert "MAU" not in codes(q)
    later = priced(act("AMI", 1), patient=BSB_PATIENT, bsi_forfait_already_billed_today=True,
                   **HOME)
    assert "MAU" not in codes(later)
    assert any("NGAP-BSI-6" in n for n in later.notes)


def test_ngap_bsi_7_mci_beside_bsi_literal_reading_uncertain():
    """Issue 15: art. 23.2 taken literally, the MCI is billed beside a BSI
    forfait too; one switch, UNCERTAIN, and the warning says what happened."""
    q = priced(act("BSB"), act("AMI", 4, tags=["pansement_lourd_complexe"]),
               patient=BSB_PATIENT, **HOME)
    assert "MCI" in codes(q)
    assert "NGAP-BSI-7" in q.uncertain_rules
    assert R.MCI_WITH_BSI is True
    assert any("MCI facturée à côté d'un forfait BSI" in w for w in q.warnings)


def test_ngap_bsi_8_avenant_11_project_not_applied():
    # No revaluation of the project in the tariffs, and the avenant-6 cumul
    # (full-rate-list AMX and degressive AMX beside the forfait) still applies.
    assert [v.since for v in tariffs.load().history("AMI")] == [date(2012, 5, 27)]
    assert [v.since for v in tariffs.load().history("AMX")] == [date(2020, 1, 1)]
    q = priced(act("BSB"), cat("XVI-1-1-PVD"), patient=BSB_PATIENT, day=date(2026, 8, 31),
               **HOME)
    assert line(q, "AMX").unit_value == D("3.15")
    assert line(q, "AMX").rate == 1


# ---------------------------------------------------------------- art. 14


def test_ngap_14_1_urgency_on_sunday_gives_the_majoration():
    q = priced(act("AMI", 1), day=SUNDAY, urgent_call=True, **HOME)
    assert line(q, "DIM").amount == D("8.50")
    assert "NGAP-14-1" in line(q, "DIM").rules


@pytest.mark.parametrize(("at", "expected"), [
    ("19:59", None), ("20:00", "NUIT"), ("07:59", "NUIT"), ("08:00", None), ("12:00", None)])
def test_ngap_14_2_night_is_20h_to_8h(at, expected):
    q = priced(act("AMI", 1), at=at, urgent_night_prescribed=True, **HOME)
    night = [c for c in codes(q) if c.startswith("NUIT")]
    assert night == ([expected] if expected else [])


def test_ngap_14_3_repeated_acts_need_the_prescription():
    q = priced(act("AMI", 1), at="21:00", **HOME)
    assert not [c for c in codes(q) if c.startswith("NUIT")]
    assert any("NGAP-14-3" in n for n in q.notes)
    sunday = priced(act("AMI", 1), day=SUNDAY, **HOME)
    assert "DIM" not in codes(sunday)
    prescribed = priced(act("AMI", 1), at="21:00", urgent_night_prescribed=True, **HOME)
    assert "NGAP-14-3" in line(prescribed, "NUIT").rules


@pytest.mark.parametrize(("at", "code", "amount"), [
    ("22:59", "NUIT", "9.15"), ("23:00", "NUIT_PROF", "18.30"), ("23:30", "NUIT_PROF", "18.30"),
    ("04:59", "NUIT_PROF", "18.30"), ("05:00", "NUIT", "9.15"), ("06:15", "NUIT", "9.15")])
def test_ngap_14_4_night_bands(at, code, amount):
    q = priced(act("AMI", 1), at=at, urgent_night_prescribed=True, **HOME)
    assert line(q, code).amount == D(amount)
    if at in ("23:00", "05:00"):
        assert "NGAP-14-4" in q.uncertain_rules


def test_ngap_14_5_night_and_sunday_do_not_cumulate_keep_the_higher():
    q = priced(act("AMI", 1), day=SUNDAY, at="21:00", urgent_night_prescribed=True,
               sunday_holiday_prescribed=True, **HOME)
    majorations = [c for c in codes(q) if c in ("NUIT", "NUIT_PROF", "DIM")]
    assert majorations == ["NUIT"]
    assert "NGAP-14-5" in q.uncertain_rules
    deep = priced(act("AMI", 1), day=SUNDAY, at="02:00", urgent_call=True, **HOME)
    assert [c for c in codes(deep) if c in ("NUIT", "NUIT_PROF", "DIM")] == ["NUIT_PROF"]


def test_ngap_14_6_saturday_from_8h_for_urgent_calls():
    q = priced(act("AMI", 1), day=SATURDAY, at="10:00", urgent_call=True, **HOME)
    assert "NGAP-14-6" in line(q, "DIM").rules
    early = priced(act("AMI", 1), day=SATURDAY, at="07:30", urgent_call=True, **HOME)
    assert "DIM" not in codes(early) and "NUIT" in codes(early)
    not_urgent = priced(act("AMI", 1), day=SATURDAY, at="10:00", sunday_holiday_prescribed=True,
                        **HOME)
    assert "DIM" not in codes(not_urgent)


def test_ngap_14_7_public_holidays():
    ascension = priced(act("AMI", 1), day=date(2026, 5, 14), sunday_holiday_prescribed=True,
                       **HOME)
    assert "NGAP-14-7" in line(ascension, "DIM").rules
    assert "NGAP-14-7" not in ascension.uncertain_rules
    whit_monday = priced(act("AMI", 1), day=date(2026, 5, 25), sunday_holiday_prescribed=True,
                         **HOME)
    assert "DIM" in codes(whit_monday) and "NGAP-14-7" in whit_monday.uncertain_rules
    good_friday = date(2026, 4, 3)
    elsewhere = priced(act("AMI", 1), day=good_friday, sunday_holiday_prescribed=True, **HOME)
    assert "DIM" not in codes(elsewhere)
    alsace = priced(act("AMI", 1), day=good_friday, sunday_holiday_prescribed=True,
                    alsace_moselle=True, **HOME)
    assert "DIM" in codes(alsace) and "NGAP-14-7" in alsace.uncertain_rules
    st_stephen = priced(act("AMI", 1), day=date(2026, 12, 26), sunday_holiday_prescribed=True,
                        alsace_moselle=True, **HOME)
    assert "DIM" in codes(st_stephen)


def test_ngap_14_8_mau_mci_mie_cumulate_with_night_and_sunday():
    q = priced(act("AMI", 1), at="21:00", urgent_night_prescribed=True, **HOME)
    assert {"MAU", "NUIT"} <= set(codes(q))
    assert "NGAP-14-8" in line(q, "MAU").rules
    child = PatientFacts(birth_date=date(2022, 1, 1))
    q2 = priced(act("AMI", 4, tags=["pansement_lourd_complexe"]), day=SUNDAY, patient=child,
                sunday_holiday_prescribed=True, **HOME)
    assert {"MCI", "MIE", "DIM"} <= set(codes(q2))


# ---------------------------------------------------------------- MAU / MCI / MIE


@pytest.mark.parametrize(("coefficient", "mau"), [
    ("1", True), ("1.1", True), ("1.25", True), ("1.5", True), ("2", False)])
def test_ngap_23_1_1_single_ami_up_to_1_5(coefficient, mau):
    for place in (HOME, CABINET):
        q = priced(act("AMI", coefficient), **place)
        assert ("MAU" in codes(q)) is mau
    two = priced(act("AMI", 1), act("AMI", 1), **CABINET)
    assert "MAU" not in codes(two)
    ais = priced(act("AIS", 1), **CABINET)
    assert "MAU" not in codes(ais)


def test_ngap_23_1_2_mau_with_mie():
    child = PatientFacts(birth_date=date(2020, 9, 1))
    q = priced(act("AMI", 1), patient=child, **HOME)
    assert {"MAU", "MIE"} <= set(codes(q))
    assert "NGAP-23.1-2" in line(q, "MAU").rules


def test_ngap_23_1_3_no_mau_with_mci():
    q = priced(act("AMI", 1), palliative=True, **HOME)
    assert "MCI" in codes(q) and "MAU" not in codes(q)
    assert any("NGAP-23.1-3" in n for n in q.notes)


def test_ngap_23_2_1_mci_once_for_heavy_dressings_at_home():
    q = priced(cat("XVI-1-3-ESCARRE"), cat("XVI-1-3-AMPUT"), **HOME)
    assert codes(q).count("MCI") == 1
    assert line(q, "MCI").amount == D("5.00")
    compress = priced(cat("XVI-1-3-COMPRESS"), **HOME)
    assert "MCI" in codes(compress)
    stitches = priced(cat("XVI-1-2-FILS10P"), **HOME)  # > 10 stitches: not eligible
    assert "MCI" not in codes(stitches)


def test_ngap_23_2_2_palliative_care_any_act_no_prescription_needed():
    q = priced(act("AMI", 2), palliative=True, **HOME)
    assert line(q, "MCI").rules == ("NGAP-23.2-1", "NGAP-23.2-2")
    tagged = priced(act("AMI", 2, tags=["soins_palliatifs"]), **HOME)
    assert "MCI" in codes(tagged)


def test_ngap_23_2_3_no_mci_at_the_cabinet_nor_with_the_wound_assessment():
    q = priced(act("AMI", 4, tags=["pansement_lourd_complexe"]), **CABINET)
    assert "MCI" not in codes(q)
    bilan = priced(cat("XVI-1-3-BILANPL"), cat("XVI-1-3-ESCARRE"), **HOME)
    assert "MCI" not in codes(bilan)


def test_ngap_mie_1_child_under_7_on_the_day_of_care():
    six = PatientFacts(birth_date=date(2019, 3, 11))  # 7 tomorrow
    assert line(priced(act("AMI", 2), patient=six, **HOME), "MIE").amount == D("3.15")
    seven = PatientFacts(birth_date=date(2019, 3, 10))  # 7 today
    q = priced(act("AMI", 2), patient=seven, **HOME)
    assert "MIE" not in codes(q)
    assert "NGAP-MIE-1" in q.uncertain_rules


# ---------------------------------------------------------------- travel


def test_ngap_13_1_ifd_for_care_prescribed_at_home():
    assert "IFD" in codes(priced(act("AMI", 2), **HOME))
    assert "IFD" not in codes(priced(act("AMI", 2), **CABINET))
    not_prescribed = priced(act("AMI", 2), home_care_prescribed=False, place="domicile",
                            distance_km=10)
    # Issue 15: the travel is billed to the patient, not to the AMO.
    travel = [ln for ln in not_prescribed.lines if ln.kind == "travel"]
    assert {ln.code for ln in travel} == {"IFD", "IK"}
    assert all(ln.amo == 0 and "NGAP-13-1" in ln.rules for ln in travel)
    assert any("NGAP-13-1" in w for w in not_prescribed.warnings)


def test_ngap_13_1_no_travel_for_telesoin():
    q = priced(cat("XVI-1-TLS-PANS"), place="domicile", distance_km=10)
    assert codes(q) == ["TMI"]
    assert any("Télésoin" in n for n in q.notes)


def test_ngap_13_2_one_travel_allowance_per_trip():
    q = priced(act("AMI", 2), place="domicile", distance_km=10,
               shared_travel_with_previous_patient=True)
    assert "IFD" not in codes(q) and "IK" not in codes(q)
    assert any("NGAP-13-2" in n for n in q.notes)


@pytest.mark.parametrize(("zone", "distance", "km"), [
    ("plaine", "2", None), ("plaine", "2.5", "1"), ("plaine", "3", "2"),
    ("montagne", "1", None), ("montagne", "1.5", "1"), ("montagne", "3", "4")])
def test_ngap_13_3_ik_thresholds(zone, distance, km):
    q = priced(act("AMI", 2), place="domicile", zone=zone, distance_km=distance)
    ik = [ln for ln in q.lines if ln.code == "IK"]
    assert [format(ln.coefficient.normalize(), "f") for ln in ik] == ([km] if km else [])
    same = priced(act("AMI", 2), place="domicile", zone=zone, distance_km=distance,
                  same_agglomeration=True)
    assert "IK" not in codes(same)


def test_ngap_13_4_round_trip_minus_abattement():
    # ILM n°327: 12 km in the mountains -> 22 km
    q = priced(act("AMI", 2), place="domicile", zone="montagne", distance_km=12)
    assert (line(q, "IK").coefficient, line(q, "IK").amount) == (D(22), D("11.00"))
    assert line(q, "IK").zone == "montagne"
    plain = priced(act("AMI", 2), place="domicile", distance_km=10)
    assert (line(plain, "IK").coefficient, line(plain, "IK").amount) == (D(16), D("5.60"))
    ski = priced(act("AMI", 2), place="domicile", zone="pied_ski", distance_km=3)
    assert (line(ski, "IK").coefficient, line(ski, "IK").amount) == (D(4), D("13.60"))
    assert "NGAP-13-4" in ski.uncertain_rules
    fraction = priced(act("AMI", 2), place="domicile", distance_km="10.3")
    assert line(fraction, "IK").coefficient == D("16.6")
    assert "NGAP-13-4" in fraction.uncertain_rules


def test_ngap_13_5_ifd_and_ik_together():
    q = priced(act("AMI", 1), place="domicile", distance_km=10)
    assert {"IFD", "IK"} <= set(codes(q))
    assert "NGAP-13-5" in line(q, "IK").rules


def test_ngap_ikcap_1_daily_cap_worked_example():
    # 340 km in plaine: 299 × 0,35 + 41 × 0,35/2 = 104,65 + 7,18 = 111,83
    q = priced(act("AMI", 1), place="domicile", distance_km=172)
    ik = [ln for ln in q.lines if ln.code == "IK"]
    assert [(ln.coefficient, ln.rate, ln.amount) for ln in ik] == [
        (D(299), 1, D("104.65")), (D(41), HALF, D("7.18"))]
    assert sum(ln.amount for ln in ik) == D("111.83")
    assert "NGAP-IKCAP-1" in q.uncertain_rules


def test_ngap_ikcap_1_beyond_399_not_paid():
    q = priced(act("AMI", 1), place="domicile", distance_km=12, ik_km_already_billed_today=390)
    ik = [(ln.coefficient, ln.rate, ln.amount) for ln in q.lines if ln.code == "IK"]
    assert ik == [(D(9), HALF, D("1.58")), (D(11), 0, D("0.00"))]


def test_ngap_ikcap_1_counts_over_the_nurse_day():
    trips = [passage(act("AMI", 1), at=f"{8 + i:02d}:00", place="domicile", distance_km=52)
             for i in range(4)]  # 100 km each
    day = quote_day(trips)
    per_trip = [[(ln.coefficient, ln.rate) for ln in q.lines if ln.code == "IK"]
                for q in day.seances]
    assert per_trip == [
        [(D(100), 1)], [(D(100), 1)], [(D(99), 1), (D(1), HALF)], [(D(99), HALF), (D(1), 0)]]
    assert day.ik_km == D(400)
    assert [q.ik_km_before for q in day.seances] == [0, 100, 200, 300]


def test_ngap_ikcap_1_not_before_it_came_into_force():
    q = priced(act("AMI", 1), place="domicile", distance_km=250, day=date(2019, 6, 4))
    assert [(ln.coefficient, ln.rate) for ln in q.lines if ln.code == "IK"] == [(D(496), 1)]


# ---------------------------------------------------------------- AMO


def test_amo_1_standard_rate_60_percent():
    q = priced(act("AMI", 4), act("AMI", 1), **CABINET)
    assert (q.amo_rate, q.amo, q.patient_share) == (D("0.60"), D("8.51"), D("5.67"))
    assert q.amo_rules == ("AMO-1",)


def test_amo_2_ald_related_care_at_100_percent():
    ald = PatientFacts(birth_date=date(1948, 5, 12), ald=True)
    related = priced(act("AMI", 4), patient=ald, coverage="ald", care_related_to_ald=True,
                     **CABINET)
    assert (related.amo_rate, related.patient_share) == (D("1.00"), D("0.00"))
    unrelated = priced(act("AMI", 4), patient=ald, coverage="ald", care_related_to_ald=False,
                       **CABINET)
    assert unrelated.amo_rate == D("0.60")
    assert unrelated.amo_rules == ("AMO-1", "AMO-2")


def test_amo_2_bizone_prescription_rate_per_act():
    ald = PatientFacts(birth_date=date(1948, 5, 12), ald=True)
    q = priced(act("AMI", 4, ald_related=True), act("AMI", 1, ald_related=False), patient=ald,
               coverage="ald", **HOME)
    rates = [(ln.code, ln.amo_rate) for ln in q.lines]
    assert rates == [("AMI", D("1.00")), ("AMI", D("0.60")), ("IFD", D("1.00"))]
    assert q.amo_rate is None
    assert q.amo == D("12.60") + D("0.95") + D("2.75")


@pytest.mark.parametrize("coverage", ["maternite", "at_mp"])
def test_amo_3_maternity_and_work_accident_at_100_percent(coverage):
    q = priced(act("AMI", 2), coverage=coverage, **HOME)
    assert q.amo_rate == D("1.00") and q.patient_share == D("0.00")
    assert q.amo_rules == ("AMO-3",)


def test_amo_4_c2s_ticket_moderateur_shown_as_patient_share():
    q = priced(act("AMI", 2), coverage="c2s", **CABINET)
    assert (q.amo, q.patient_share) == (D("3.78"), D("2.52"))
    assert q.amo_rules == ("AMO-4",)


def test_amo_5_franchise_is_not_on_the_invoice():
    q = priced(act("AMI", 1), act("AMI", 1), act("AMI", 1), act("AMI", 1), act("AMI", 1),
               **CABINET)
    assert q.amo == money(q.total * D("0.60"))
    assert all(ln.amount >= 0 for ln in q.lines)


def test_amo_6_amo_rounded_per_line():
    q = priced(act("AMI", 1.25), act("AMI", 1.25), **CABINET)
    # 3.94 × 0.6 = 2.364 → 2.36 ; 1.97 × 0.6 = 1.182 → 1.18 ; on the total: 3.546 → 3.55
    assert (q.total, q.amo) == (D("5.91"), D("3.54"))
    assert "AMO-6" in q.uncertain_rules
    assert any("AMO-6" in w for w in q.warnings)


# ---------------------------------------------------------------- coverage


def _slug(rule_id: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", rule_id.lower()).strip("_")


def test_every_rule_id_has_a_test_named_after_it():
    names = [n for n in globals() if n.startswith("test_")]
    missing = [rid for rid in R.RULES if not any(n.startswith(f"test_{_slug(rid)}_") for n in names)]
    assert not missing, missing


def test_every_rule_id_of_ngap_md_is_known_to_the_engine():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "domain" / "ngap.md").read_text("utf-8")
    ids = set(re.findall(r"\b(NGAP-[A-Z0-9.]+-[A-Z0-9]+|AMO-\d)\b", doc))
    assert ids, "no rule id found in ngap.md"
    assert ids <= set(R.RULES), sorted(ids - set(R.RULES))


def test_every_cited_rule_is_described():
    cases = [
        priced(act("AMI", 4), act("AMI", 1), act("AMI", 1), **HOME, palliative=True),
        priced(act("BSB"), act("AMI", 1), act("AIS", 3), patient=BSB_PATIENT, day=SUNDAY,
               urgent_call=True, place="domicile", distance_km=200),
    ]
    for q in cases:
        for ln in q.lines:
            for rid in ln.rules:
                assert rid in R.RULES or rid.startswith("XVI-"), rid
        assert set(q.uncertain_rules) <= set(R.RULES)


def test_uncertain_readings_are_listed_with_a_known_rule():
    assert {r.rule_id for r in R.READINGS} <= set(R.RULES)
    uncertain = {rid for rid, rule in R.RULES.items() if rule.status == "UNCERTAIN"}
    assert uncertain <= {r.rule_id for r in R.READINGS}
    for rule in R.RULES.values():
        assert rule.title and rule.text and rule.status in ("VERIFIED", "UNCERTAIN")


def test_errors_impossible_facts():
    with pytest.raises(QuoteError):
        priced(act("AMI", 0), **CABINET)
    with pytest.raises(QuoteError):
        priced(act("AMI", 1), place="domicile", distance_km=-1)
    with pytest.raises(QuoteError) as exc:
        priced(act("AMI", 1), day=date(2011, 1, 1), **CABINET)
    assert exc.value.field == "date"
    with pytest.raises(QuoteError):
        priced(act("BSB"), day=date(2015, 1, 1), **CABINET)  # no BSI before 2020
    with pytest.raises(QuoteError):
        priced(cat("XVI-0-0-NOPE"), **CABINET)
    with pytest.raises(QuoteError):
        priced(**CABINET)
    with pytest.raises(QuoteError):
        priced(act("AMI", 1), patient=PatientFacts(birth_date=date(2030, 1, 1)), **CABINET)


def test_lines_carry_the_tariff_date_used():
    before = priced(act("AMI", 1), day=date(2024, 1, 27), **HOME)
    after = priced(act("AMI", 1), day=date(2024, 1, 28), **HOME)
    assert (line(before, "IFD").amount, line(before, "IFD").tariff_date) == (
        D("2.50"), date(2012, 5, 27))
    assert (line(after, "IFD").amount, line(after, "IFD").tariff_date) == (
        D("2.75"), date(2024, 1, 28))
    assert after.tariff_version == date(2024, 1, 28)
    old_sunday = priced(act("AMI", 1), day=date(2018, 7, 29), sunday_holiday_prescribed=True,
                        **HOME)
    assert line(old_sunday, "DIM").amount == D("8.00")


def test_overseas_values():
    q = priced(act("AMI", 2), act("AMI", 1), territory="dom", place="domicile",
               zone="pied_ski", distance_km=3)
    assert line(q, "AMI").unit_value == D("3.30")
    assert line(q, "IK").unit_value == D("3.66")
    assert line(q, "IFD").amount == D("2.75")  # inherited from metropole
    assert ADULT.birth_date.year == 1948
    assert TUESDAY.weekday() == 1
