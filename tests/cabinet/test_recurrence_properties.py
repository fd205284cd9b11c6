"""Recurrence expansion: properties over many plans (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cabinet.recurrence import MAX_VISITS_PER_PLAN, RecurrenceError, expand

times = st.lists(st.sampled_from(["07:30", "08:00", "12:00", "19:00", "21:15"]), min_size=1,
                 max_size=4, unique=True)


@settings(deadline=None)
@given(start=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
       days=st.integers(min_value=0, max_value=120), slots=times,
       recurrence=st.sampled_from(["daily", "every_n_days", "weekdays"]),
       interval=st.integers(min_value=1, max_value=7),
       weekdays=st.sets(st.integers(min_value=1, max_value=7), min_size=1))
def test_expand_respects_the_plan(start, days, slots, recurrence, interval, weekdays):
    end = start + timedelta(days=days)
    try:
        occ = expand(start=start, end=end, recurrence=recurrence, times=slots,
                     interval_days=interval, weekdays=weekdays)
    except RecurrenceError:
        assert (days + 1) * len(slots) > MAX_VISITS_PER_PLAN
        return
    assert len(occ) == len(set(occ)) <= MAX_VISITS_PER_PLAN
    assert all(start <= o.date <= end and o.slot in slots for o in occ)
    if recurrence == "weekdays":
        assert all(o.date.isoweekday() in weekdays for o in occ)
    if recurrence == "every_n_days":
        assert all((o.date - start).days % interval == 0 for o in occ)
    if recurrence == "daily":
        assert len(occ) == (days + 1) * len(slots)


def test_expansion_stops_at_the_last_representable_day():
    """Stepping one interval past 31/12/9999 used to raise OverflowError."""
    last = date.max
    occurrences = expand(start=last - timedelta(days=3), end=last, recurrence="every_n_days",
                         times=["08:00"], interval_days=2)
    assert [o.date for o in occurrences] == [last - timedelta(days=3), last - timedelta(days=1)]
