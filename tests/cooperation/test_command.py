"""`manage.py protocol_eligibility`: JSON on stdin, JSON on stdout, exit 2 on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from cooperation.eligibility import evaluate_all
from cooperation.management.commands.protocol_eligibility import InputError, parse

ROOT = Path(__file__).resolve().parents[2]

ELIGIBLE_PAPH = {
    "date": "2026-03-01",
    "practice": {"coordinated_practice": True, "asalee_member": False},
    "patient": {
        "birth_date": "1940-05-02", "mdph_handicap": False, "needs_medical_follow_up": True,
        "doctor_home_visits_last_year": 4, "iadl_modified_score": 0, "refusal": False,
        "home_follow_up_impossible": False, "has_bsi": False, "polyhandicap": False,
    },
}


def run(monkeypatch, stdin: bytes | str):
    data = stdin.encode() if isinstance(stdin, str) else stdin
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    out = io.StringIO()
    code = 0
    try:
        call_command("protocol_eligibility", stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def by_id(document):
    return {p["protocol"]: p for p in document["protocols"]}


def test_eligible_patient(monkeypatch):
    code, doc = run(monkeypatch, json.dumps(ELIGIBLE_PAPH))
    assert code == 0
    protocols = by_id(doc)
    assert set(protocols) >= {"pa-ph", "asalee"}
    paph = protocols["pa-ph"]
    assert paph["status"] == "eligible"
    assert {c["rule"] for c in paph["criteria"]} >= {"R-PAPH-1", "R-PAPH-3", "R-PAPH-4",
                                                      "R-PAPH-5"}
    for criterion in paph["criteria"]:
        assert set(criterion) == {"rule", "result", "reason"}
        assert criterion["result"] is True
    assert set(paph) == {"protocol", "status", "criteria"}
    asalee = protocols["asalee"]
    assert asalee["status"] == "not_eligible"  # R-ASA-8: the practice is not Asalée


def test_missing_facts_give_incomplete_with_null_results(monkeypatch):
    payload = {**ELIGIBLE_PAPH, "patient": {k: v for k, v in ELIGIBLE_PAPH["patient"].items()
                                            if k != "has_bsi"}}
    _, doc = run(monkeypatch, json.dumps(payload))
    paph = by_id(doc)["pa-ph"]
    assert paph["status"] == "incomplete"
    nulls = [c for c in paph["criteria"] if c["result"] is None]
    assert len(nulls) == 1 and nulls[0]["rule"] == "R-PAPH-5"
    assert "has_bsi" in nulls[0]["reason"]


def test_null_is_unknown(monkeypatch):
    payload = {**ELIGIBLE_PAPH, "patient": {**ELIGIBLE_PAPH["patient"], "refusal": None}}
    _, doc = run(monkeypatch, json.dumps(payload))
    assert by_id(doc)["pa-ph"]["status"] == "incomplete"


def test_empty_object_is_incomplete_everywhere(monkeypatch):
    code, doc = run(monkeypatch, '{"date": "2026-03-01"}')
    assert code == 0
    assert {p["status"] for p in doc["protocols"]} == {"incomplete"}


def test_exclusion_gives_not_eligible(monkeypatch):
    payload = {**ELIGIBLE_PAPH, "patient": {**ELIGIBLE_PAPH["patient"], "polyhandicap": True}}
    _, doc = run(monkeypatch, json.dumps(payload))
    paph = by_id(doc)["pa-ph"]
    assert paph["status"] == "not_eligible"
    assert [c["rule"] for c in paph["criteria"] if c["result"] is False] == ["R-PAPH-5"]


@pytest.mark.parametrize(
    ("stdin", "fragment"),
    [
        ("not json", "JSON invalide"),
        ("[1, 2]", "objet JSON"),
        ('{"date": "2026-03-01", "extra": 1}', "extra"),
        ('{"patient": {"shoe_size": 42}}', "shoe_size"),
        ('{"practice": {"coordinated_practice": "yes"}}', "coordinated_practice"),
        ('{"patient": {"refusal": 0}}', "refusal"),
        ('{"patient": {"birth_date": "02/05/1940"}}', "birth_date"),
        ('{"patient": {"birth_date": "1940-02-30"}}', "birth_date"),
        ('{"date": "2026-03-01", "patient": {"birth_date": "2027-01-01"}}', "birth_date"),
        ('{"patient": {"doctor_home_visits_last_year": 2.5}}', "entier"),
        ('{"patient": {"doctor_home_visits_last_year": -1}}', "positif"),
        ('{"patient": {"iadl_modified_score": "0"}}', "nombre"),
        ('{"patient": {"iadl_modified_score": true}}', "nombre"),
        ('{"patient": []}', "patient"),
        ('{"date": 20260301}', "date"),
        ("[" * 100000, "JSON invalide"),
    ],
)
def test_bad_input_is_a_json_error_with_status_2(monkeypatch, stdin, fragment):
    code, doc = run(monkeypatch, stdin)
    assert code == 2
    assert set(doc) == {"error", "details"}
    assert fragment in doc["error"] + " ".join(doc["details"])


def test_invalid_utf8(monkeypatch):
    code, doc = run(monkeypatch, b"\xff\xfe{")
    assert code == 2 and "error" in doc


def test_real_process_exit_status_and_no_traceback():
    command = [sys.executable, "manage.py", "protocol_eligibility"]
    ok = subprocess.run(command, input=json.dumps(ELIGIBLE_PAPH).encode(), cwd=ROOT,
                        capture_output=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert by_id(json.loads(ok.stdout))["pa-ph"]["status"] == "eligible"
    bad = subprocess.run(command, input=b'{"patient": {"smoker": "oui"}}', cwd=ROOT,
                         capture_output=True, timeout=60)
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]
    assert b"Traceback" not in bad.stderr


# S-INPUT-1: whatever JSON arrives, the answer is a result or an input error.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
fact_keys = st.sampled_from(["birth_date", "refusal", "doctor_home_visits_last_year",
                             "iadl_modified_score", "smoker", "unknown_fact"])
documents = st.fixed_dictionaries({}, optional={
    "date": st.one_of(st.just("2026-03-01"), json_values),
    "practice": st.dictionaries(st.sampled_from(["coordinated_practice", "asalee_member", "x"]),
                                json_values, max_size=3),
    "patient": st.dictionaries(fact_keys, st.one_of(json_values, st.just("1940-05-02")),
                               max_size=4),
})


@settings(max_examples=300, deadline=None)
@given(payload=st.one_of(documents, json_values))
def test_any_json_gives_a_result_or_an_input_error(payload):
    try:
        facts = parse(payload)
    except InputError as exc:
        assert exc.details
        return
    for result in evaluate_all(facts):
        assert result.status.value in ("eligible", "not_eligible", "incomplete")
