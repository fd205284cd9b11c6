"""The tournée benchmarks' fixed days: the same instance whatever the date,
windows a route can keep, and a search budget that gives the same routes run
to run."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from bench.instances import SOURCE
from bench.tournee import demo_day_stops, next_weekday
from bench.tournee_day import care_plan_orders, synthetic_day
from cabinet.routing import Options, Problem


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2027, 3, 15), date(2026, 6, 7)])
def test_demo_day_is_the_same_whatever_the_date(monkeypatch, today):
    reference = demo_day_stops()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    monkeypatch.setattr(timezone, "now", lambda: timezone.make_aware(
        datetime.combine(today, datetime.min.time())))
    assert demo_day_stops() == reference
    nurse, stops = reference
    assert len(stops) == 40 and len({s.id for s in stops}) == 40
    assert sum(s.hard for s in stops) > 10


def test_demo_day_windows_are_kept_by_the_care_plan_order():
    nurse, stops = demo_day_stops()
    plan = Problem([nurse], stops, SOURCE).time_order()
    assert plan.late == [] and plan.overtime == {}


def test_the_benchmarks_look_at_a_tuesday():
    assert next_weekday(date(2026, 12, 4)) == date(2026, 12, 8)  # Friday -> Tuesday
    assert next_weekday(date(2026, 12, 8)) == date(2026, 12, 15)  # Tuesday -> next one


def test_cabinet_day_is_fixed_and_its_care_plan_order_keeps_every_window():
    nurses, stops = synthetic_day(120, 4, 1)
    assert synthetic_day(120, 4, 1) == (nurses, stops)
    assert synthetic_day(120, 4, 2) != (nurses, stops)
    assert len(stops) == 120
    assert sum(1 for s in stops if s.skill) > 0 and sum(1 for s in stops if s.after) > 0
    plan = Problem(nurses, stops, SOURCE).evaluate(care_plan_orders(nurses, stops))
    assert plan.late == [] and plan.overtime == {}


def test_a_search_budget_gives_the_same_route_twice():
    nurse, stops = demo_day_stops()
    problem = Problem([nurse], stops, SOURCE)
    options = Options(time_limit_s=60, budget=3_000)
    first, second = problem.solve(options), problem.solve(options)
    assert first.order("nurse") == second.order("nurse")
    assert first.cost == second.cost and first.km == second.km
    plan = problem.time_order()
    assert first.cost <= plan.cost and first.late == []
