"""Which solver the routing module uses: PyVRP only for problems it can
express exactly; every nurse constraint it lacks sends the problem to
OR-Tools (README, « Choix du solveur »)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cabinet.routing import Nurse, Options, Problem, Stop, pyvrp_solver

CABINET = (47.3941, 0.6848)


def nurses(count=2, **kw):
    return [Nurse(id=f"n{k}", lat=CABINET[0], lon=CABINET[1], **kw) for k in range(count)]


def hard_stops(count=6):
    return [
        Stop(id=f"s{i}", lat=CABINET[0] + 0.002 * i, lon=CABINET[1] - 0.003 * (i % 3),
             window_start=8 * 60, window_end=12 * 60, hard=True, duration=15)
        for i in range(count)
    ]


PYVRP = Options(time_limit_s=0.5, balance_cost=0, solver="auto", budget=200)


def test_hard_windows_only_go_to_pyvrp_and_keep_every_window():
    problem = Problem(nurses(), hard_stops())
    assert pyvrp_solver.unsupported(problem, PYVRP) == []
    solution = problem.solve(PYVRP)
    assert solution.solver == "pyvrp"
    assert solution.late == [] and sum(len(r.stops) for r in solution.routes.values()) == 6


def test_pyvrp_with_a_seed_and_an_iteration_budget_repeats_itself():
    problem = Problem(nurses(3), hard_stops(12))
    first, second = problem.solve(PYVRP), problem.solve(PYVRP)
    assert {n: r.order for n, r in first.routes.items()} == {
        n: r.order for n, r in second.routes.items()}


@pytest.mark.parametrize("change, reason", [
    (lambda s: [replace(s[0], hard=False, preferred_time=9 * 60)] + s[1:], "soft windows"),
    (lambda s: [s[0], replace(s[1], after="s0")] + s[2:], "a visit after another"),
    (lambda s: [replace(s[0], skill="picc")] + s[1:], "restricted to some nurses"),
    (lambda s: [replace(s[0], nurse="n1")] + s[1:], "restricted to some nurses"),
    (lambda s: [replace(s[0], preferred_nurse="n0")] + s[1:], "referent nurse"),
])
def test_a_nurse_constraint_pyvrp_lacks_sends_the_problem_to_ortools(change, reason):
    team = [nurses()[0], replace(nurses()[1], skills=frozenset({"picc"}))]
    problem = Problem(team, change(hard_stops()))
    assert any(reason in r for r in pyvrp_solver.unsupported(problem, PYVRP))
    assert problem.solve(PYVRP).solver == "ortools"
    with pytest.raises(pyvrp_solver.NotExpressible):
        pyvrp_solver.solve(problem, PYVRP, deadline=0)


def test_balance_between_nurses_is_not_expressible_in_pyvrp():
    problem = Problem(nurses(), hard_stops())
    assert pyvrp_solver.unsupported(problem, Options()) == ["balance between the nurses' days"]


def test_the_tournees_default_is_ortools():
    assert Options().solver == "ortools"
    assert Problem(nurses(1), hard_stops()).solve(Options(time_limit_s=0.3)).solver == "ortools"
