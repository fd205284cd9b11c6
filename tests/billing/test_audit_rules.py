"""The pre-send audit, one test per rule (docs/domain/facturation.md §2,
AUD-1…11), on the pure module through the JSON shape of `invoice_audit`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from billing.audit import jsonio, run_audit

CASES = json.loads((Path(__file__).parent / "data" / "audit_public.json").read_text("utf-8"))
BASE = next(c for c in CASES if c["id"] == "PUB-AU-1")["input"]


def base() -> dict:
    return copy.deepcopy(BASE)


def audit(data: dict):
    return run_audit(jsonio.parse_input(jsonio.loads(json.dumps(data))))


def rules(result, severity="errors"):
    return sorted({f.rule for f in getattr(result, severity)})


def seance(data, i=0):
    return data["seances"][i]


def error(data, rule: str):
    """The audit's error `rule`, which it must raise on `data`."""
    result = audit(data)
    assert rule in rules(result)
    return next(f for f in result.errors if f.rule == rule)


def clone_seance(data, new_id, **facts):
    s = copy.deepcopy(seance(data))
    s["id"] = new_id
    s["facts"].update(facts)
    data["seances"].append(s)
    return s


def test_base_case_is_clean():
    result = audit(base())
    assert result.valid and not result.findings


def test_aud_1_act_without_prescription():
    data = base()
    seance(data)["prescription"] = None
    result = audit(data)
    assert rules(result) == ["AUD-1"]
    assert "ordonnance" in result.errors[0].action
    assert result.errors[0].seance == "S1"


@pytest.mark.parametrize(
    ("prescription", "rule"),
    [
        pytest.param({"acts": [{"key": "AIS", "coefficient": 3}]}, "AUD-1",
                     id="AUD-1-act-not-listed-on-the-prescription"),
        pytest.param({"home": False}, "AUD-8", id="AUD-8-ifd-on-a-prescription-not-at-home"),
    ],
)
def test_the_prescription_does_not_cover_the_billed_line(prescription, rule):
    data = base()
    data["prescriptions"][0].update(prescription)
    assert rule in rules(audit(data))


def test_aud_1_amx_is_prescribed_as_ami():
    data = base()
    seance(data)["lines"][0]["code"] = "AMX"
    assert "AUD-1" not in rules(audit(data))


@pytest.mark.parametrize(
    ("facts", "rule", "fix"),
    [
        pytest.param({"date": "2026-07-01"}, "AUD-2", "renouvellement",
                     id="AUD-2-after-the-prescription-end"),
        pytest.param({"place": "cabinet"}, "AUD-8", "IFD", id="AUD-8-travel-at-the-cabinet"),
    ],
)
def test_the_error_names_the_fix(facts, rule, fix):
    data = base()
    seance(data)["facts"].update(facts)
    assert fix in error(data, rule).action


def test_aud_3_coefficient_differs_from_the_prescription_is_a_warning():
    data = base()
    data["prescriptions"][0]["acts"][0]["coefficient"] = 3
    result = audit(data)
    assert rules(result, "warnings") == ["AUD-3"]
    assert result.valid


def test_aud_4_same_act_same_time_twice_is_a_duplicate():
    data = base()
    clone_seance(data, "S2")
    result = audit(data)
    assert rules(result) == ["AUD-4"]
    assert result.errors[0].seance == "S2"


def test_aud_4_two_acts_in_one_seance_are_not_a_duplicate():
    data = base()
    s = seance(data)
    s["facts"]["acts"].append({"key": "AMI", "coefficient": 2})
    s["lines"].insert(1, {"code": "AMI", "coefficient": 2, "rate": 0.5, "amount": "3.15"})
    assert "AUD-4" not in rules(audit(data))


def _bsb(data):
    data["patients"][0].update(bsi_level="BSB", bsi_date="2026-03-01")
    data["prescriptions"][0]["acts"] = [{"key": "BSB", "coefficient": None}]
    s = seance(data)
    s["facts"]["patient"]["bsi_level"] = "BSB"
    s["facts"]["acts"] = [{"key": "BSB", "coefficient": None}]
    s["lines"] = [{"code": "BSB", "coefficient": None, "rate": 1.0, "amount": "18.20"},
                  {"code": "IFI", "coefficient": None, "rate": 1.0, "amount": "2.75"}]
    return data


def test_aud_5_two_bsi_forfaits_the_same_day_across_nurses():
    data = _bsb(base())
    other = clone_seance(data, "S2", time="18:00")
    other["nurse"] = "N2"
    assert error(data, "AUD-5").seance == "S2"


def test_aud_6_bsi_forfait_without_bsi_is_a_warning():
    data = _bsb(base())
    data["patients"][0].update(bsi_level=None, bsi_date=None)
    result = audit(data)
    assert "AUD-6" in rules(result, "warnings")


def test_aud_6_bsi_within_twelve_months_is_clean():
    result = audit(_bsb(base()))
    assert result.valid and not result.warnings, result.findings


def test_aud_7_night_majoration_without_night_prescription():
    data = base()
    s = seance(data)
    s["facts"].update(time="22:00", urgent_night_prescribed=True)
    s["lines"].append({"code": "NUIT", "coefficient": None, "rate": 1.0, "amount": "9.15"})
    result = audit(data)
    assert "AUD-7" in rules(result)
    data["prescriptions"][0]["night"] = True
    assert "AUD-7" not in rules(audit(data))


def test_aud_7_urgent_call_needs_no_prescription():
    data = base()
    s = seance(data)
    s["facts"].update(time="22:00", urgent_call=True)
    s["lines"].append({"code": "NUIT", "coefficient": None, "rate": 1.0, "amount": "9.15"})
    assert "AUD-7" not in rules(audit(data))


def test_aud_7_sunday_majoration_without_daily_prescription():
    data = base()
    s = seance(data)
    s["facts"].update(date="2026-06-07", sunday_holiday_prescribed=True)  # a Sunday
    s["lines"].append({"code": "DIM", "coefficient": None, "rate": 1.0, "amount": "8.50"})
    assert "AUD-7" in rules(audit(data))


def test_aud_9_mau_beside_an_ami_4_shows_both_cotations():
    data = base()
    s = seance(data)
    s["facts"]["acts"] = [{"key": "AMI", "coefficient": 4}]
    data["prescriptions"][0]["acts"] = [{"key": "AMI", "coefficient": 4}]
    s["lines"] = [{"code": "AMI", "coefficient": 4, "rate": 1.0, "amount": "12.60"},
                  {"code": "IFD", "coefficient": None, "rate": 1.0, "amount": "2.75"},
                  {"code": "MAU", "coefficient": None, "rate": 1.0, "amount": "1.35"}]
    finding = error(data, "AUD-9")
    assert finding.action == "retirer la MAU"
    assert any(t.startswith("MAU") for t in finding.detail["billed"])
    assert not any(t.startswith("MAU") for t in finding.detail["engine"])


def test_aud_9_two_acts_both_full_rate():
    data = base()
    s = seance(data)
    s["facts"]["acts"].append({"key": "AMI", "coefficient": 2})
    s["lines"].insert(1, {"code": "AMI", "coefficient": 2, "rate": 1.0, "amount": "6.30"})
    assert rules(audit(data)) == ["AUD-9"]


def test_aud_10_more_travel_forfaits_than_passages():
    data = base()
    clone_seance(data, "S2", time="11:00")
    data["tournees"] = [{"nurse": "N1", "date": "2026-06-02", "passages": 1, "km": 10}]
    result = audit(data)
    assert "AUD-10" in rules(result)
    data["tournees"][0]["passages"] = 2
    assert "AUD-10" not in rules(audit(data))


def test_aud_10_more_ik_than_the_route():
    data = base()
    s = seance(data)
    s["facts"].update(distance_km=10, same_agglomeration=False)
    s["lines"].append({"code": "IK", "coefficient": 16, "rate": 1.0, "amount": "5.60"})
    data["tournees"] = [{"nurse": "N1", "date": "2026-06-02", "passages": 3, "km": 12}]
    result = audit(data)
    assert "AUD-10" in rules(result)


def test_aud_11_overlapping_seances_at_two_addresses():
    data = base()
    data["patients"].append({"id": "P2", "bsi_level": None, "bsi_date": None})
    p2 = copy.deepcopy(data["prescriptions"][0])
    p2.update(id="O2", patient="P2")
    data["prescriptions"].append(p2)
    other = clone_seance(data, "S2", time="10:05")
    other.update(patient="P2", prescription="O2")
    result = audit(data)
    assert rules(result, "warnings") == ["AUD-11"]
    assert result.valid


def test_aud_11_more_than_twelve_hours_of_care():
    data = base()
    data["prescriptions"][0]["acts"] = [{"key": "AIS", "coefficient": 3}]
    s = seance(data)
    s["facts"]["acts"] = [{"key": "AIS", "coefficient": 3}]
    s["lines"] = [{"code": "AIS", "coefficient": 3, "rate": 1.0, "amount": "7.95"}]
    for hour in range(25):
        clone_seance(data, f"S{hour + 2}", time=f"{hour // 2:02d}:{30 * (hour % 2):02d}")
    result = audit(data)
    assert "AUD-11" in rules(result, "warnings")
