"""`python manage.py invoice_audit`: the public cases (AUD-*), the exact JSON
shape of the issue, and bad input as a JSON error with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .command_helpers import run_json_command

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CASES = json.loads((Path(__file__).parent / "data" / "audit_public.json").read_text("utf-8"))


def run(payload) -> tuple[int, dict]:
    return run_json_command("invoice_audit", payload)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_case(case):
    status, result = run(case["input"])
    assert status == 0
    assert set(result) == {"valid", "errors", "warnings"}
    expected = case["expected"]
    assert result["valid"] is expected["valid"]
    assert set(expected["rules"]) <= {e["rule"] for e in result["errors"]}
    for rule in expected.get("warnings", []):
        assert rule in {w["rule"] for w in result["warnings"]}
    for finding in result["errors"] + result["warnings"]:
        assert set(finding) == {"rule", "seance", "message"}
        assert finding["message"]


def test_public_cases_are_a_copy_of_the_shared_reference():
    shared = SHARED / "cases" / "audit_public.json"
    if not shared.exists():
        pytest.skip("shared folder absent (the copy is what the suite uses)")
    assert json.loads(shared.read_text("utf-8")) == CASES


BAD = [
    ("[]", None),
    ("{}", "seances"),
    ('{"seances": [], "other": 1}', "other"),
    ('{"seances": "x"}', "seances"),
    ('{"\\ud800": 1}', None),
    ('{"seances": [], "patients": [{"id": "\\udfff"}]}', None),
    ("{\"seances\": [", None),
    ("NaN", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "field"), BAD)
def test_bad_input_is_a_json_error_with_status_2(text, field):
    status, result = run(text)
    assert status == 2
    assert set(result) <= {"error", "field"} and result["error"]
    if field:
        assert result["field"] == field


def _case(i=0):
    return json.loads(json.dumps(CASES[i]["input"]))


@pytest.mark.parametrize("mutate,field", [
    (lambda d: d["seances"][0].update(patient="P9"), "seances[0].patient"),
    (lambda d: d["seances"][0].update(prescription="O9"), "seances[0].prescription"),
    (lambda d: d["seances"][0]["facts"].update(distance_km=-1), "seances[0].facts.distance_km"),
    (lambda d: d["seances"][0]["lines"][0].update(amount="abc"), "seances[0].lines[0].amount"),
    (lambda d: d["seances"][0]["lines"][0].update(rate=2), "seances[0].lines[0].rate"),
    (lambda d: d["prescriptions"][0].update(end="2026-02-30"), "prescriptions[0].end"),
    (lambda d: d["patients"][0].update(bsi_level="BSZ"), "patients[0].bsi_level"),
    (lambda d: d["seances"].append(d["seances"][0]), "seances[1]"),
    (lambda d: d.update(tournees=[{"nurse": "N1", "date": "2026-06-02", "passages": True,
                                   "km": 3}]), "tournees[0].passages"),
])
def test_bad_values_name_their_field(mutate, field):
    data = _case()
    mutate(data)
    status, result = run(data)
    assert status == 2
    assert result["field"] == field, result


def test_the_command_in_a_process_with_bytes_not_utf8():
    proc = subprocess.run([sys.executable, "manage.py", "invoice_audit"], cwd=ROOT,
                          input=b'{"seances": [\xff]}', capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert "error" in json.loads(proc.stdout)
    assert not proc.stderr.strip() or b"Traceback" not in proc.stderr
