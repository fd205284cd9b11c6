"""Properties of the engine over generated passages (hypothesis):
- the total is the sum of the lines (and AMO + patient share = total);
- at most two acts of a passage are billed unless exempt;
- the result never depends on the order the acts are given in;
- a tariff change dated after the care never changes its price;
- a nurse's day never pays more than 399 IK km (NGAP-IKCAP-1)."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.ngap import ActFacts, Passage, PatientFacts, catalogue, jsonio, quote, quote_day
from billing.ngap import tariffs as T

SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
CATALOGUE_IDS = sorted(a.id for a in catalogue.load().values() if a.key != "TMI")
FIRST_DAY, LAST_DAY = date(2020, 1, 1), date(2026, 8, 31)
# The IK daily cap applies from its own date (NGAP-IKCAP-1, dated data).
CAP_DAY = T.load().history("IK_PLAFOND_TAUX_PLEIN_KM")[0].since
TAGS = ["pansement_lourd_complexe", "prelevement_veineux", "injection", "vaccination",
        "soins_palliatifs", "pansement"]
COEFFICIENTS = [Decimal(c) for c in ("0.5", "1", "1.1", "1.2", "1.25", "1.5", "2", "2.4", "3",
                                     "3.9", "4", "4.1", "5", "5.1", "6", "9", "10", "11", "14")]

free_acts = st.builds(
    ActFacts,
    key=st.sampled_from(["AMI", "AMI", "AMI", "AMX", "AIS", "DI", "BSA", "BSB", "BSC", "TLS"]),
    coefficient=st.sampled_from(COEFFICIENTS),
    label=st.sampled_from(["", "soin"]),
    tags=st.frozensets(st.sampled_from(TAGS), max_size=2),
    exempt_from_decote=st.sampled_from([None, None, None, True, False]),
    group=st.sampled_from([None, None, None, "5bis", "perfusion"]),
    ald_related=st.sampled_from([None, None, True, False]),
).map(lambda a: ActFacts(
    a.key, None if a.key in catalogue.EURO_FORFAITS else a.coefficient, a.label, None, a.tags,
    a.exempt_from_decote, a.group, a.ald_related))
catalogue_acts = st.builds(lambda i: ActFacts(key=None, id=i), st.sampled_from(CATALOGUE_IDS))
acts = st.lists(st.one_of(free_acts, catalogue_acts), min_size=1, max_size=5)


@st.composite
def passages(draw, day=None):
    care_day = day or draw(st.dates(FIRST_DAY, LAST_DAY))
    birth = care_day - timedelta(days=draw(st.integers(0, 100 * 365)))
    return Passage(
        date=care_day,
        time=draw(st.times()).replace(second=0, microsecond=0),
        place=draw(st.sampled_from(["domicile", "domicile", "cabinet"])),
        patient=PatientFacts(birth, draw(st.sampled_from([None, "BSA", "BSB", "BSC"])),
                             draw(st.booleans())),
        acts=tuple(draw(acts)),
        zone=draw(st.sampled_from(["plaine", "montagne", "pied_ski"])),
        distance_km=Decimal(draw(st.integers(0, 600))) / 2,
        same_agglomeration=draw(st.booleans()),
        urgent_night_prescribed=draw(st.booleans()),
        sunday_holiday_prescribed=draw(st.booleans()),
        urgent_call=draw(st.booleans()),
        palliative=draw(st.booleans()),
        coverage=draw(st.sampled_from(["standard", "ald", "maternite", "at_mp", "c2s"])),
        care_related_to_ald=draw(st.booleans()),
        shared_travel_with_previous_patient=draw(st.booleans()),
        ik_km_already_billed_today=Decimal(draw(st.integers(0, 500))),
        bsi_forfait_already_billed_today=draw(st.booleans()),
        alsace_moselle=draw(st.booleans()),
    )


def _exempt(line) -> bool:
    return line.exempt


@SETTINGS
@given(passages())
def test_total_is_the_sum_of_the_lines(p):
    q = quote(p)
    assert q.total == sum((ln.amount for ln in q.lines), Decimal(0))
    assert q.amo == sum((ln.amo for ln in q.lines), Decimal(0))
    assert q.amo + q.patient_share == q.total
    for ln in q.lines:
        assert ln.amount == ln.amount.quantize(Decimal("0.01"))
        assert ln.rate in (Decimal(0), Decimal("0.5"), Decimal(1))
        assert ln.rules
        if not ln.rate:
            assert ln.amount == 0
    assert 0 <= q.patient_share <= q.total


@SETTINGS
@given(passages())
def test_at_most_two_acts_billed_unless_exempt(p):
    q = quote(p)
    ranked = [ln for ln in q.lines if ln.kind in ("act", "forfait") and ln.rate
              and not _exempt(ln)]
    assert len(ranked) <= 2, [(ln.code, ln.coefficient, ln.rate, ln.rules) for ln in q.lines]
    assert sum(1 for ln in ranked if ln.rate == 1) <= 1


@SETTINGS
@given(passages(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_the_order_of_the_acts(p, rnd):
    shuffled = list(p.acts)
    rnd.shuffle(shuffled)
    other = Passage(**{**{f: getattr(p, f) for f in p.__dataclass_fields__},
                       "acts": tuple(shuffled)})
    a, b = quote(p), quote(other)
    assert jsonio.quote_json(a) == jsonio.quote_json(b)
    assert (a.notes, a.uncertain_rules) == (b.notes, b.uncertain_rules)


def _with_later_values(after: date) -> T.TariffTable:
    """The project's table plus a new value of every parameter, dated after
    the care."""
    import tomllib

    data = tomllib.loads(T.DATA_FILE.read_text("utf-8"))
    key = (after + timedelta(days=1)).isoformat()
    for spec in data["parameters"].values():
        for territory, values in spec.items():
            if territory in ("label", "unit"):
                continue
            values[key] = {"value": "99.99", "source": "hausse fictive postérieure aux soins"}
    return T.parse(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(passages(), st.integers(0, 400))
def test_a_tariff_change_after_the_care_never_changes_its_price(p, days_after):
    later = _with_later_values(p.date + timedelta(days=days_after))
    assert jsonio.quote_json(quote(p)) == jsonio.quote_json(quote(p, later))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(CAP_DAY, LAST_DAY).flatmap(
    lambda d: st.lists(passages(day=d), min_size=1, max_size=8)))
def test_a_nurse_day_pays_at_most_399_ik_km(day_passages):
    first = day_passages[0]
    day_passages[0] = Passage(**{**{f: getattr(first, f) for f in first.__dataclass_fields__},
                                 "ik_km_already_billed_today": Decimal(0)})
    day_passages = [
        Passage(**{**{f: getattr(p, f) for f in p.__dataclass_fields__},
                   "ik_km_already_billed_today": Decimal(0),
                   "time": time(min(23, 6 + i), 0)})
        for i, p in enumerate(day_passages)
    ]
    result = quote_day(day_passages)
    paid = Decimal(0)
    for q in result.seances:
        for ln in q.lines:
            if ln.code == "IK":
                paid += ln.coefficient * ln.rate
    assert paid <= Decimal(299) + Decimal(100) / 2
    assert result.total == sum((q.total for q in result.seances), Decimal(0))
