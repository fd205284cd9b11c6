"""The public cases of docs/domain (copied in tests/billing/data so the suite
runs without the shared folder): every field they give must match, through
the JSON shape of `ngap_quote`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from billing.ngap import engine, jsonio

# The reference folder beside the project (the suite runs on the copies without it).
SHARED = Path(__file__).resolve().parents[3] / "shared"

CASES = json.loads((Path(__file__).parent / "data" / "ngap_public.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_public_case(case):
    request = jsonio.parse_request(jsonio.loads(json.dumps(case["input"])))
    result = jsonio.quote_json(engine.quote(request))
    expected = case["expected"]
    assert len(result["lines"]) == len(expected["lines"]), result["lines"]
    for got, want in zip(result["lines"], expected["lines"], strict=True):
        for key, value in want.items():
            assert got[key] == value, (case["id"], key, got, want)
            assert type(got[key]) is type(value) or value is None or isinstance(value, int | float)
        assert got["rules"], got
    for key, value in expected.items():
        if key != "lines":
            assert result[key] == value, (case["id"], key, result[key], value)


def test_public_cases_are_a_copy_of_the_shared_reference():
    shared = SHARED / "cases" / "ngap_public.json"
    if not shared.exists():
        pytest.skip("shared folder absent (the copy is what the suite uses)")
    assert json.loads(shared.read_text("utf-8")) == CASES
