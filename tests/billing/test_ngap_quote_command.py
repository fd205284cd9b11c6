"""`python manage.py ngap_quote`: JSON in, JSON out; errors as JSON with exit
status 2, never a traceback."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .command_helpers import run_json_command

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((Path(__file__).parent / "data" / "ngap_public.json").read_text("utf-8"))
P06 = next(c for c in CASES if c["id"] == "P06")


def run(payload) -> tuple[int, dict]:
    return run_json_command("ngap_quote", payload)


def test_one_passage():
    status, result = run(P06["input"])
    assert status == 0
    assert set(result) == {"lines", "total", "amo", "amo_rate", "patient_share", "warnings"}
    assert result["total"] == "12.85"
    ik = result["lines"][-1]
    assert (ik["code"], ik["coefficient"], ik["zone"], ik["unit_value"], ik["amount"]) == (
        "IK", 16, "plaine", "0.35", "5.60")
    for line in result["lines"]:
        assert {"code", "coefficient", "rate", "unit_value", "amount", "rules"} <= set(line)
        assert isinstance(line["rate"], float) and isinstance(line["amount"], str)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_cases_through_the_command(case):
    """The exact output shape of the issue: key names, JSON types and number
    formats (amounts as strings with two decimals, rates as numbers)."""
    status, result = run(case["input"])
    assert status == 0
    expected = case["expected"]
    for key, value in expected.items():
        if key != "lines":
            assert (result[key], type(result[key])) == (value, type(value)), key
    assert len(result["lines"]) == len(expected["lines"])
    for got, want in zip(result["lines"], expected["lines"], strict=True):
        assert {key: got[key] for key in want} == want
        assert all(type(got[key]) is type(value) for key, value in want.items()), (got, want)
        assert re.fullmatch(r"\d+\.\d{2}", got["amount"]) and re.fullmatch(
            r"\d+\.\d{2}", got["unit_value"])
        assert got["rules"] and all(isinstance(rule, str) for rule in got["rules"])
    for key in ("total", "amo", "patient_share"):
        assert re.fullmatch(r"\d+\.\d{2}", result[key]), key
    assert isinstance(result["warnings"], list)


def test_a_nurse_day_counts_ik_over_the_day():
    far = copy.deepcopy(P06["input"])
    far["distance_km"] = 100  # 196 km each way and back
    seances = [dict(far, time=t) for t in ("08:00", "09:00", "10:00")]
    status, result = run({"seances": seances})
    assert status == 0
    assert len(result["seances"]) == 3
    ik = [[(ln["coefficient"], ln["rate"]) for ln in s["lines"] if ln["code"] == "IK"]
          for s in result["seances"]]
    assert ik == [[(196, 1.0)], [(103, 1.0), (93, 0.5)], [(7, 0.5), (189, 0.0)]]
    assert result["ik_km"] == 588
    assert result["total"] == "{:.2f}".format(
        sum(float(s["total"]) for s in result["seances"]))


def test_dropped_acts_are_listed_at_rate_0():
    payload = copy.deepcopy(P06["input"])
    payload["acts"] = [{"key": "AMI", "coefficient": 4, "label": "a"},
                       {"key": "AMI", "coefficient": 2, "label": "b"},
                       {"key": "AMI", "coefficient": 1, "label": "c"}]
    status, result = run(payload)
    dropped = result["lines"][2]
    assert (dropped["rate"], dropped["amount"], dropped["rules"]) == (0.0, "0.00", ["NGAP-11B-1"])


def mutate(**changes):
    payload = copy.deepcopy(P06["input"])
    for path, value in changes.items():
        target = payload
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return payload


@pytest.mark.parametrize(("payload", "field"), [
    (mutate(colour="blue"), "colour"),
    (mutate(patient__nir="1"), "patient.nir"),
    (mutate(acts__0__price=3), "acts[0].price"),
    (mutate(distance_km=-1), "distance_km"),
    (mutate(distance_km="10"), "distance_km"),
    (mutate(acts__0__coefficient=0), "acts[0].coefficient"),
    (mutate(acts__0__coefficient=-1), "acts[0].coefficient"),
    (mutate(date="2011-12-31"), "date"),
    (mutate(date="2026-02-30"), "date"),
    (mutate(date="10/03/2026"), "date"),
    (mutate(time="25:00"), "time"),
    (mutate(place="hopital"), "place"),
    (mutate(zone="colline"), "zone"),
    (mutate(coverage="mutuelle"), "coverage"),
    (mutate(patient__bsi_level="BSZ"), "patient.bsi_level"),
    (mutate(patient__birth_date="2027-01-01"), "patient.birth_date"),
    (mutate(urgent_call="yes"), "urgent_call"),
    (mutate(acts=[]), "acts"),
    (mutate(acts__0__key="XYZ"), "acts[0].key"),
    (mutate(acts__0__key="MAU"), "acts[0].key"),
    (mutate(acts__0__id="XVI-9-9-NOPE"), "acts[0].id"),
    (mutate(acts__0__coefficient=None), "acts[0].coefficient"),
    (mutate(acts__0__group="autre"), "acts[0].group"),
    (mutate(date=KeyError), "date"),
    (mutate(ik_km_already_billed_today=-5), "ik_km_already_billed_today"),
    ({"seances": []}, "seances"),
    ({"seances": [mutate(), mutate(date="2026-03-11")]}, "seances[1].date"),
])
def test_invalid_input_is_a_json_error_with_status_2(payload, field):
    status, result = run(payload)
    assert status == 2
    assert set(result) <= {"error", "field"} and result["error"]
    assert result.get("field") == field


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", "{\"date\": NaN}", "null", "[[[["])
def test_unreadable_input_is_a_json_error(text):
    status, result = run(text)
    assert status == 2 and "error" in result


def test_real_process_never_prints_a_traceback():
    env_python = sys.executable
    ok = subprocess.run(
        [env_python, "manage.py", "ngap_quote"], input=json.dumps(P06["input"]), cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["total"] == "12.85"
    bad = subprocess.run(
        [env_python, "manage.py", "ngap_quote"], input='{"date": "2026-01-01"', cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert bad.returncode == 2
    assert "error" in json.loads(bad.stdout)
    assert "Traceback" not in bad.stderr + bad.stdout
