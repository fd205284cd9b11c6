"""Fact sets for the eligibility tests: a fully known eligible patient per protocol, and
`facts(base, field=value, other=MISSING)` to change or remove a fact."""

from __future__ import annotations

import datetime as dt

from cooperation.eligibility import Facts

MISSING = object()
ON = dt.date(2026, 3, 1)

PAPH_PRACTICE = {"coordinated_practice": True}
PAPH_ELDERLY = {
    "birth_date": dt.date(1940, 5, 2),
    "mdph_handicap": False,
    "psychiatric_unstabilised": False,
    "needs_medical_follow_up": True,
    "doctor_home_visits_last_year": 4,
    "iadl_modified_score": 0,
    "refusal": False,
    "home_follow_up_impossible": False,
    "has_bsi": False,
    "polyhandicap": False,
}
ASALEE_PRACTICE = {"asalee_member": True}
ASALEE_PATIENT = {
    "diabetes_type2": True,
    "cardiovascular_risk": False,
    "smoker": False,
    "copd_risk": False,
    "cognitive_complaint": False,
}


def facts(patient: dict, practice: dict, on: dt.date = ON, **changes) -> Facts:
    patient = dict(patient)
    practice = dict(practice)
    for key, value in changes.items():
        target = practice if key in ("coordinated_practice", "asalee_member") else patient
        if value is MISSING:
            target.pop(key, None)
        else:
            target[key] = value
    return Facts(date=on, practice=practice, patient=patient)


def paph(**changes) -> Facts:
    return facts(PAPH_ELDERLY, PAPH_PRACTICE, **changes)


def asalee(**changes) -> Facts:
    return facts(ASALEE_PATIENT, ASALEE_PRACTICE, **changes)
