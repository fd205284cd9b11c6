"""Properties of the engine over random fact sets (hypothesis): an unknown fact is never
guessed, and learning a fact never flips a definite answer."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cooperation import catalogue
from cooperation.eligibility import Facts, Status, evaluate_all

FACTS = catalogue.facts()


def _value(fact):
    if fact.type == "bool":
        return st.booleans()
    if fact.type == "date":
        return st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 3, 1))
    if fact.type == "int":
        return st.integers(min_value=0, max_value=12)
    return st.sampled_from([0, 0.5, 1, 2, 3.5])


# A complete fact set, then a random subset of it kept as "known".
complete = st.fixed_dictionaries({name: _value(f) for name, f in FACTS.items()})
dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2030, 12, 31))


def _facts(values: dict, keep: set, on: dt.date) -> Facts:
    practice, patient = {}, {}
    for name, value in values.items():
        if name not in keep:
            continue
        scope, key = name.split(".", 1)
        (practice if scope == "practice" else patient)[key] = value
    return Facts(date=on, practice=practice, patient=patient)


subsets = st.sets(st.sampled_from(sorted(FACTS)))


@settings(max_examples=300, deadline=None)
@given(values=complete, known=subsets, extra=subsets, on=dates)
def test_adding_a_fact_never_turns_not_eligible_into_eligible(values, known, extra, on):
    fewer = {r.protocol.id: r for r in evaluate_all(_facts(values, known, on))}
    more = {r.protocol.id: r for r in evaluate_all(_facts(values, known | extra, on))}
    for pid, before in fewer.items():
        after = more[pid].status
        if before.status == Status.NOT_ELIGIBLE:
            assert after == Status.NOT_ELIGIBLE
        if before.status == Status.ELIGIBLE:
            assert after == Status.ELIGIBLE
        # criterion by criterion: a definite result stays what it was
        for b, a in zip(before.criteria, more[pid].criteria, strict=True):
            if b.result is not None:
                assert a.result == b.result


@settings(max_examples=300, deadline=None)
@given(values=complete, known=subsets, on=dates)
def test_unknown_facts_are_named_never_guessed(values, known, on):
    facts = _facts(values, known, on)
    for result in evaluate_all(facts):
        for criterion in result.criteria:
            # every fact reported missing was indeed absent from the input
            assert all(name not in known for name in criterion.missing)
            if criterion.result is None:
                assert criterion.missing, criterion.reason
                for name in criterion.missing:
                    assert name.split(".", 1)[1] in criterion.reason
            else:
                assert criterion.missing == ()
            # the result never depends on a value the input did not give
            for name, value in criterion.facts_used.items():
                if name not in known:
                    assert value is None
        if result.status == Status.INCOMPLETE:
            assert result.missing
        else:
            assert all(c.result is not None for c in result.criteria) or (
                result.status == Status.NOT_ELIGIBLE
            )


@settings(max_examples=200, deadline=None)
@given(values=complete, on=dates)
def test_complete_facts_always_give_a_definite_answer(values, on):
    for result in evaluate_all(_facts(values, set(FACTS), on)):
        assert result.status != Status.INCOMPLETE
