"""Small builders for engine tests."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from billing.ngap import ActFacts, Passage, PatientFacts, quote

TUESDAY = date(2026, 3, 10)
SUNDAY = date(2026, 3, 15)
SATURDAY = date(2026, 3, 14)
ADULT = PatientFacts(birth_date=date(1948, 5, 12))


def D(value) -> Decimal:
    return Decimal(str(value))


def act(key="AMI", coefficient=None, *, id=None, tags=(), label="", exempt=None, group=None,
        ald_related=None) -> ActFacts:
    return ActFacts(
        key=key,
        coefficient=None if coefficient is None else D(coefficient),
        label=label,
        id=id,
        tags=frozenset(tags),
        exempt_from_decote=exempt,
        group=group,
        ald_related=ald_related,
    )


def cat(act_id: str, key: str | None = None) -> ActFacts:
    """An act known by its catalogue id only."""
    return ActFacts(key=key, id=act_id)


def passage(*acts, day=TUESDAY, at="10:00", place="domicile", patient=ADULT, **facts) -> Passage:
    hour, minute = (int(x) for x in at.split(":"))
    for name in ("distance_km", "ik_km_already_billed_today"):
        if name in facts:
            facts[name] = D(facts[name])
    return Passage(date=day, time=time(hour, minute), place=place, patient=patient,
                   acts=tuple(acts), **facts)


def priced(*acts, **kw):
    return quote(passage(*acts, **kw))


def summary(q) -> list[tuple]:
    """(code, coefficient, rate, amount) per line, as plain strings/numbers."""
    out = []
    for line in q.lines:
        coef = None if line.coefficient is None else format(line.coefficient.normalize(), "f")
        out.append((line.code, coef, format(line.rate.normalize(), "f"), str(line.amount)))
    return out


def codes(q) -> list[str]:
    return [line.code for line in q.lines if line.rate]


def line(q, code: str):
    matches = [ln for ln in q.lines if ln.code == code]
    assert matches, f"no {code} line in {summary(q)}"
    return matches[0]
