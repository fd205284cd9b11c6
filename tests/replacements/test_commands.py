"""`manage.py check_contract` and `manage.py retrocession`: JSON on stdin, JSON on stdout,
exit 2 with a JSON error on bad input (README "Remplacements : commandes JSON")."""

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

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = {
    "titulaire": {
        "id": "claire", "conventionne": True, "interdiction_exercer": [], "deconventionnement": [],
        "unavailability": [{"start": "2026-07-01", "end": "2026-07-31", "kind": "conge"}],
        "own_visits": [],
    },
    "remplacant": {
        "installed": False, "diploma_date": "2018-07-01", "ordre_registered": True,
        "interdiction_exercer": [],
        "autorisations": [{"valid_from": "2026-01-01", "valid_to": "2026-12-31"}],
        "experience": [{"start": "2019-01-01", "end": "2023-12-31", "hours": 7000,
                        "setting": "etablissement_de_soins"}],
        "rcp_valid_to": "2026-12-31", "urssaf_declared_on": "2026-01-05",
        "other_contracts": [{"titulaire": "zoe", "start": "2026-01-01", "end": "2026-01-02"}],
    },
    "contract": {"start": "2026-07-01T08:00", "end": "2026-07-15T20:00", "written": True,
                 "repeated": False, "motif": "congés annuels", "cabinet_share_percent": 10},
}


def run(monkeypatch, command: str, stdin: bytes | str):
    data = stdin.encode("utf-8", "surrogatepass") if isinstance(stdin, str) else stdin
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    out = io.StringIO()
    code = 0
    try:
        call_command(command, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def with_(path: str, value):
    doc = json.loads(json.dumps(CONTRACT))
    *parents, last = path.split(".")
    node = doc
    for p in parents:
        node = node[p]
    node[last] = value
    return json.dumps(doc)


def test_check_contract_valid_contract(monkeypatch):
    code, out = run(monkeypatch, "check_contract", json.dumps(CONTRACT))
    assert code == 0
    assert out == {"valid": True, "violations": [], "warnings": []}


def test_check_contract_violation_with_rule_and_french_message(monkeypatch):
    code, out = run(monkeypatch, "check_contract", with_("titulaire.own_visits", ["2026-07-03"]))
    assert code == 0 and out["valid"] is False
    assert [v["rule"] for v in out["violations"]] == ["R-REPL-5", "R-REPL-6"]
    assert "03/07/2026" in out["violations"][0]["message"]


def test_check_contract_warning_does_not_block(monkeypatch):
    code, out = run(monkeypatch, "check_contract", with_("remplacant.rcp_valid_to", None))
    assert out["valid"] is True and out["warnings"][0]["rule"] == "R-REPL-24"


def test_check_contract_outside_unavailability_and_too_many_titulaires(monkeypatch):
    doc = json.loads(with_("contract.end", "2026-08-05T12:00"))
    doc["remplacant"]["other_contracts"] = [
        {"titulaire": "zoe", "start": "2026-07-10", "end": "2026-07-20"},
        {"titulaire": "anne", "start": "2026-07-12", "end": "2026-07-12"},
    ]
    code, out = run(monkeypatch, "check_contract", json.dumps(doc))
    assert {v["rule"] for v in out["violations"]} == {"R-REPL-3", "R-REPL-13"}


@pytest.mark.parametrize("doc, where", [
    ('{"\\ud800": 1}', "substitut"),
    (with_("contract.motif", "\ud800"), "contract.motif"),
    ("[1", "ligne"),
    ("", "objet JSON"),
    ("[]", "titulaire"),
    (b"\xff\xfe", "UTF-8"),
    (with_("contract.start", "2026-13-01T08:00"), "contract.start"),
    (with_("contract.start", "3026-01-01T08:00"), "plausible"),
    (with_("contract.cabinet_share_percent", 120), "contract.cabinet_share_percent"),
    (with_("contract.cabinet_share_percent", True), "nombre"),
    (with_("contract.written", "yes"), "contract.written"),
    (with_("contract.extra", 1), "clé inconnue"),
    (with_("remplacant.experience", [{"start": "2020-01-01", "end": "2019-01-01", "hours": 1, "setting": "gcs"}]), "fin précède"),
    (with_("remplacant.experience", [{"start": "2020-01-01", "end": "2021-01-01", "hours": 1, "setting": "ehpad"}]), "setting"),
    (with_("titulaire.own_visits", ["2026-02-30"]), "inexistante"),
    ('{"a": NaN}', "NaN"),
    ("[" * 5000 + "]" * 5000, "imbrication"),
])
def test_check_contract_bad_input_json_error_exit_2(monkeypatch, doc, where):
    code, out = run(monkeypatch, "check_contract", doc)
    assert code == 2
    assert set(out) == {"error", "details"}
    assert where in out["error"] + " ".join(out["details"])


RETRO = {"cabinet_share_percent": "10", "travel_to_remplacant": True, "acts": [
    {"date": "2026-07-01", "fees": "12.60", "travel": "2.75"},
    {"date": "2026-07-02", "fees": "3.15", "travel": "2.75"},
    {"date": "2026-08-02", "fees": "3.15", "travel": "0.00"},
]}


def test_retrocession_command_exact_output(monkeypatch):
    code, out = run(monkeypatch, "retrocession", json.dumps(RETRO))
    assert code == 0
    # July: 15.75 × 10 % = 1.575 → 1.58; August: 0.315 → 0.32 (R-RETRO-2, R-RETRO-4).
    assert out == {"fees": "18.90", "travel": "5.50", "retained": "1.90", "retrocession": "22.50"}


def test_retrocession_command_travel_share_and_cap(monkeypatch):
    doc = {**RETRO, "travel_to_remplacant": False, "monthly_cap": "1.00"}
    code, out = run(monkeypatch, "retrocession", json.dumps(doc))
    # July: 1.58 + 0.55 = 2.13 capped to 1.00; August 0.32.
    assert out["retained"] == "1.32" and out["retrocession"] == "23.08"
    doc = {**RETRO, "travel_share_percent": 50}
    code, out = run(monkeypatch, "retrocession", json.dumps(doc))
    assert out["retained"] == "4.65"


@pytest.mark.parametrize("doc, where", [
    ('{"cabinet_share_percent": 10, "acts": [{"date": "2026-07-01", "fees": "1.234"}]}', "centime"),
    ('{"cabinet_share_percent": 10, "acts": [{"date": "2026-07-01", "fees": 1.5e400}]}', "entre"),
    ('{"cabinet_share_percent": 10}', "acts"),
    ('{"acts": []}', "cabinet_share_percent"),
    ('{"cabinet_share_percent": 10, "acts": [{"date": "2026-07-01", "fees": "x"}]}', "nombre"),
    ('{"cabinet_share_percent": 10, "acts": [{"date": "\\udfff", "fees": "1"}]}', "substitut"),
    ('{"cabinet_share_percent": 10, "acts": {}}', "liste"),
    ('{"cabinet_share_percent": -1, "acts": []}', "entre"),
])
def test_retrocession_bad_input_json_error_exit_2(monkeypatch, doc, where):
    code, out = run(monkeypatch, "retrocession", doc)
    assert code == 2 and where in out["error"] + " ".join(out["details"])


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=10))
def test_any_json_answers_json_never_a_traceback(value):
    for command in ("check_contract", "retrocession"):
        stream = io.TextIOWrapper(io.BytesIO(json.dumps(value).encode()), encoding="utf-8")
        out = io.StringIO()
        old = sys.stdin
        sys.stdin = stream
        try:
            call_command(command, stdout=out)
            code = 0
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.stdin = old
        doc = json.loads(out.getvalue())
        assert code in (0, 2) and ("error" in doc) == (code == 2)


def test_commands_as_real_processes():
    for command, payload in (("check_contract", '{"\\ud800": 1}'), ("retrocession", json.dumps(RETRO))):
        proc = subprocess.run([sys.executable, "manage.py", command], input=payload.encode(),
                              capture_output=True, cwd=ROOT, timeout=120)
        doc = json.loads(proc.stdout)
        if command == "check_contract":
            assert proc.returncode == 2 and "error" in doc
        else:
            assert proc.returncode == 0 and doc["retrocession"] == "22.50"
