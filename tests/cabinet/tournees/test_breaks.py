"""A nurse's break (lunch): taken between two visits inside its window,
never during a visit, costed when the given order pushes it late; PyVRP
cannot express it, so such a day stays with OR-Tools."""

from __future__ import annotations

from cabinet.routing import Break, Nurse, Options, Problem, Stop, pyvrp_solver

CABINET = (47.3941, 0.6848)
LUNCH = Break(earliest=12 * 60, latest=13 * 60 + 30, duration=45)


def nurse(**kw):
    return Nurse(id="n", lat=CABINET[0], lon=CABINET[1], breaks=(LUNCH,), **kw)


def visits():
    """Ten visits, five in the morning and five from midday on."""
    return [
        Stop(id=f"v{i}", lat=CABINET[0] + 0.003 * (i % 5), lon=CABINET[1] + 0.002 * (i // 5),
             window_start=(8 if i < 5 else 11) * 60 + 30 * (i % 5),
             window_end=(10 if i < 5 else 15) * 60 + 30 * (i % 5), hard=True, duration=30)
        for i in range(10)
    ]


def assert_break_kept(route):
    assert len(route.breaks) == 1
    start, end = route.breaks[0]
    assert LUNCH.earliest <= start <= LUNCH.latest and end - start == LUNCH.duration
    for item in route.stops:  # no visit overlaps the break
        assert item.end <= start or item.start >= end


def test_optimised_day_takes_the_break_inside_its_window():
    problem = Problem([nurse()], visits())
    solution = problem.solve(Options(time_limit_s=0.5))
    assert solution.solver == "ortools" and solution.late == []
    assert_break_kept(solution.routes["n"])


def test_the_break_delays_the_afternoon():
    without = Problem([Nurse(id="n", lat=CABINET[0], lon=CABINET[1])], visits())
    order = {"n": [f"v{i}" for i in range(10)]}
    plain = without.evaluate(order).routes["n"]
    with_break = Problem([nurse()], visits()).evaluate(order).routes["n"]
    assert_break_kept(with_break)
    assert with_break.return_time >= plain.return_time + LUNCH.duration - 30


def test_a_break_pushed_past_its_latest_start_is_costed():
    tight = Nurse(id="n", lat=CABINET[0], lon=CABINET[1],
                  breaks=(Break(earliest=9 * 60, latest=9 * 60, duration=30),))
    stops = [Stop(id="a", lat=CABINET[0], lon=CABINET[1] + 0.01, window_start=8 * 60,
                  window_end=8 * 60 + 10, duration=120),
             Stop(id="b", lat=CABINET[0] + 0.01, lon=CABINET[1], window_start=8 * 60,
                  window_end=20 * 60, duration=10)]
    problem = Problem([tight], stops)
    late = problem.evaluate({"n": ["a", "b"]})
    assert late.routes["n"].break_late_seconds > 0
    on_time = Problem([Nurse(id="n", lat=CABINET[0], lon=CABINET[1])], stops).evaluate(
        {"n": ["a", "b"]})
    assert late.cost > on_time.cost + 60 * 60


def test_a_break_before_the_first_visit_is_taken_at_home():
    afternoon = [Stop(id="x", lat=CABINET[0], lon=CABINET[1] + 0.01, window_start=15 * 60,
                      window_end=16 * 60, duration=20)]
    route = Problem([nurse()], afternoon).evaluate({"n": ["x"]}).routes["n"]
    assert route.breaks == [] and route.stops[0].start == 15 * 60


def test_pyvrp_cannot_express_breaks():
    problem = Problem([nurse()], visits())
    options = Options(time_limit_s=0.5, solver="auto")
    assert "breaks" in pyvrp_solver.unsupported(problem, options)
    assert problem.solve(options).solver == "ortools"
