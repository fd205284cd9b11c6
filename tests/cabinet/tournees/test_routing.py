"""The pure optimiser (cabinet.routing): windows, lateness reports, locked
visits, precedence, skills, dispatch balance and idempotence."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cabinet.routing import (
    Nurse,
    Options,
    OsrmSource,
    Problem,
    Stop,
    StraightLineSource,
    build_source,
    dispatch,
    haversine_m,
    optimise,
)

CABINET = (47.3941, 0.6848)
FAST = Options(time_limit_s=0.3)


def h(hour: float) -> int:
    return round(hour * 60)


def stop(sid, dlat, dlon, **kw) -> Stop:
    return Stop(id=sid, lat=CABINET[0] + dlat, lon=CABINET[1] + dlon, **kw)


def nurse(nid="n", **kw) -> Nurse:
    return Nurse(id=nid, lat=CABINET[0], lon=CABINET[1], **kw)


def line_of_stops(count=6, **kw):
    """Stops along a line east of the cabinet, listed far-to-near."""
    return [stop(f"s{i}", 0, 0.01 * (count - i), **kw) for i in range(count)]


def test_straight_line_source_applies_road_factor_and_speed():
    source = StraightLineSource(road_factor=1.5, average_speed_kmh=36)
    a, b = CABINET, (CABINET[0] + 0.01, CABINET[1])
    matrix = source.matrix([a, b])
    straight = haversine_m(a, b)
    assert matrix.meters[0][1] == round(straight * 1.5)
    assert matrix.seconds[0][1] == round(straight * 1.5 / 10)  # 36 km/h = 10 m/s
    assert matrix.meters[0][0] == 0 and matrix.source == "straight_line"


def test_build_source_is_offline_unless_osrm_configured():
    assert isinstance(build_source(), StraightLineSource)
    assert isinstance(build_source(osrm_url="http://127.0.0.1:5000"), OsrmSource)


def test_optimised_order_is_shorter_than_a_bad_order():
    stops = line_of_stops(6)
    problem = Problem([nurse()], stops)
    listed = problem.evaluate({"n": [s.id for s in stops[::2] + stops[1::2]]})
    solution = problem.solve(FAST)
    assert solution.meters < listed.meters
    assert sorted(solution.order("n")) == sorted(s.id for s in stops)
    assert solution.status == "optimised" and not solution.late


def test_hard_window_is_respected_even_if_longer():
    near = stop("near", 0, 0.01, window_start=h(8), window_end=h(12))
    far = stop("far", 0, 0.05, window_start=h(8), window_end=h(8) + 10, hard=True)
    solution = optimise(nurse(shift_start=h(7.5)), [near, far], options=FAST)
    assert solution.order("n") == ["far", "near"]
    assert not solution.late
    first = solution.routes["n"].stops[0]
    assert h(8) <= first.start <= h(8) + 10


def test_infeasible_hard_windows_are_reported_not_failed():
    # Two visits far apart that must both start between 8:00 and 8:10.
    a = stop("a", 0.05, 0, window_start=h(8), window_end=h(8) + 10, hard=True, duration=20)
    b = stop("b", -0.05, 0, window_start=h(8), window_end=h(8) + 10, hard=True, duration=20)
    solution = optimise(nurse(), [a, b], options=FAST)
    assert solution.status == "relaxed"
    assert len(solution.order("n")) == 2
    [late] = solution.late
    assert late.kind == "window"
    second = solution.routes["n"].stops[1]
    assert late.stop_id == second.stop_id
    assert late.minutes == second.start - h(8) - 10 > 20


def test_soft_window_lateness_is_reported_with_its_delay():
    a = stop("a", 0.01, 0, window_start=h(8), window_end=h(8), duration=60)
    b = stop("b", 0.01, 0.001, window_start=h(8), window_end=h(8), duration=30)
    solution = optimise(nurse(), [a, b], options=FAST)
    assert solution.status == "optimised"  # soft windows only: not an infeasibility
    [late] = solution.late
    second = solution.routes["n"].stops[1]
    # The shorter visit first: 30 min late rather than 60.
    assert late.kind == "soft" and late.stop_id == second.stop_id == "a"
    assert late.minutes == second.start - h(8) >= 30


def test_preferred_time_pulls_the_visit_towards_it():
    insulin = stop("insulin", 0, 0.03, window_start=h(7.5), window_end=h(9), preferred_time=h(8))
    others = [stop(f"o{i}", 0, -0.01 * (i + 1), window_start=h(7.5), window_end=h(11)) for i in range(3)]
    solution = optimise(nurse(shift_start=h(7.5)), [insulin, *others], options=FAST)
    by_id = {s.stop_id: s for s in solution.routes["n"].stops}
    assert by_id["insulin"].start <= h(8) + 5


def test_locked_visit_keeps_its_time():
    stops = line_of_stops(5, window_start=h(7), window_end=h(12))
    locked = stop("locked", 0.02, 0, window_start=h(7), window_end=h(12), locked_time=h(10))
    solution = optimise(nurse(), [*stops, locked], options=FAST)
    scheduled = {s.stop_id: s for s in solution.routes["n"].stops}
    assert scheduled["locked"].start == h(10)
    assert not solution.late


def test_two_locked_visits_at_the_same_time_report_one_late():
    a = stop("a", 0.03, 0, locked_time=h(9))
    b = stop("b", -0.03, 0, locked_time=h(9))
    solution = optimise(nurse(), [a, b], options=FAST)
    assert [x.kind for x in solution.late] == ["locked"]
    assert solution.status == "relaxed"


def test_precedence_visit_after_another():
    # "dressing" is nearer but must come after "aide" (the auxiliaire de vie's visit).
    aide = stop("aide", 0, 0.04, duration=20)
    dressing = stop("dressing", 0, 0.005, after="aide")
    other = stop("other", 0, 0.01)
    solution = optimise(nurse(), [dressing, other, aide], options=FAST)
    order = solution.order("n")
    assert order.index("aide") < order.index("dressing")
    scheduled = {s.stop_id: s for s in solution.routes["n"].stops}
    assert scheduled["dressing"].start >= scheduled["aide"].end


def test_idempotent_reoptimisation_keeps_the_order():
    stops = [
        stop(f"s{i}", 0.004 * ((i * 7) % 5) - 0.01, 0.006 * ((i * 3) % 7) - 0.02,
             window_start=h(7), window_end=h(12))
        for i in range(10)
    ]
    problem = Problem([nurse()], stops)
    first = problem.solve(FAST)
    again = problem.solve(FAST, initial={"n": first.order("n")})
    assert again.order("n") == first.order("n")
    assert again.status == "kept"
    assert again.cost == first.cost
    assert problem.solve(FAST).order("n") == first.order("n")


def test_never_worse_than_the_given_order():
    stops = line_of_stops(8)
    problem = Problem([nurse()], stops)
    given = [s.id for s in reversed(stops)]
    solution = problem.solve(Options(time_limit_s=0.1), initial={"n": given})
    assert solution.cost <= problem.evaluate({"n": given}).cost


def test_nearest_neighbour_and_time_order_baselines_visit_everything():
    stops = line_of_stops(7, window_start=h(8), window_end=h(12))
    problem = Problem([nurse()], stops)
    nn = problem.nearest_neighbour()
    assert nn.order("n") == [s.id for s in reversed(stops)]  # nearest first along the line
    assert sorted(problem.time_order().order("n")) == sorted(s.id for s in stops)


def test_metrics_km_and_drive_minutes():
    source = StraightLineSource(road_factor=1.0, average_speed_kmh=60)
    a = stop("a", 0, 0.05)
    problem = Problem([nurse()], [a], source)
    solution = problem.evaluate({"n": ["a"]})
    one_way = haversine_m(CABINET, a.point)
    assert solution.meters == pytest.approx(2 * one_way, abs=2)
    assert solution.drive_minutes == round(2 * one_way / 1000)  # 1 km a minute at 60 km/h


def test_dispatch_balances_the_workload():
    nurses = [nurse("n1"), nurse("n2")]
    # Twelve identical visits spread around the cabinet.
    stops = [
        stop(f"s{i}", 0.01 * ((i % 4) - 1.5), 0.01 * ((i // 4) - 1), window_start=h(7),
             window_end=h(13))
        for i in range(12)
    ]
    solution = dispatch(nurses, stops, options=Options(time_limit_s=1.0))
    counts = [len(solution.order(n.id)) for n in nurses]
    assert sum(counts) == 12
    works = [solution.routes[n.id].work_minutes for n in nurses]
    assert max(works) - min(works) <= 0.25 * max(works)
    assert min(counts) >= 4


def test_dispatch_keeps_patients_with_their_nurse_when_possible():
    nurses = [nurse("n1"), nurse("n2")]
    stops = [
        stop(f"s{i}", 0.002 * (i - 3), 0.002, window_start=h(7), window_end=h(13),
             preferred_nurse="n1" if i % 2 else "n2")
        for i in range(8)
    ]
    solution = dispatch(nurses, stops, options=Options(time_limit_s=1.0))
    for n in nurses:
        for sid in solution.order(n.id):
            preferred = next(s.preferred_nurse for s in stops if s.id == sid)
            assert preferred == n.id


def test_dispatch_leaves_assigned_visits_with_their_nurse():
    nurses = [nurse("n1"), nurse("n2")]
    stops = [stop(f"s{i}", 0.003 * i, 0, nurse="n2") for i in range(6)]
    solution = dispatch(nurses, stops, options=FAST)
    assert len(solution.order("n2")) == 6 and solution.order("n1") == []


def test_dispatch_respects_skills_and_reports_impossible_ones():
    nurses = [nurse("n1", skills=frozenset({"picc"})), nurse("n2")]
    stops = [
        stop("picc", 0.01, 0, skill="picc"),
        *[stop(f"s{i}", -0.004 * i, 0.003) for i in range(4)],
        stop("stoma", 0.02, 0, skill="stomie"),
    ]
    solution = dispatch(nurses, stops, options=FAST)
    assert "picc" in solution.order("n1")
    assert solution.unassigned and solution.unassigned[0][0] == "stoma"
    assert "stomie" in solution.unassigned[0][1]
    assert "stoma" not in solution.order("n1") + solution.order("n2")


def test_shift_end_overtime_is_reported():
    stops = [stop(f"s{i}", 0.005 * i, 0, duration=60) for i in range(4)]
    solution = optimise(nurse(shift_start=h(8), shift_end=h(10)), stops, options=FAST)
    assert solution.overtime["n"] >= 120
    assert solution.status == "relaxed"


def test_empty_day():
    solution = optimise(nurse(), [], options=FAST)
    assert solution.order("n") == [] and solution.km == 0


class _FakeOsrm(BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server API)
        _FakeOsrm.calls.append(self.path)
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        body = {
            "code": "Ok",
            "durations": [[0 if i == j else 100 * abs(i - j) for j in range(n)] for i in range(n)],
            "distances": [[0 if i == j else 1000 * abs(i - j) for j in range(n)] for i in range(n)],
        }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_osrm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeOsrm.calls = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_osrm_table_is_used_when_configured(fake_osrm):
    source = build_source(osrm_url=fake_osrm)
    points = [CABINET, (47.40, 0.69), (47.41, 0.70)]
    matrix = source.matrix(points)
    assert matrix.source == "osrm"
    assert matrix.meters[0][2] == 2000 and matrix.seconds[2][1] == 100
    [path] = _FakeOsrm.calls
    assert path.startswith("/table/v1/driving/0.684800,47.394100;0.690000,47.400000;")
    assert "annotations=duration%2Cdistance" in path


def test_osrm_down_falls_back_to_straight_line():
    source = OsrmSource("http://127.0.0.1:9", timeout_s=0.5)
    matrix = source.matrix([CABINET, (47.40, 0.69)])
    assert matrix.source == "straight_line_fallback"
    assert matrix.meters[0][1] == StraightLineSource().matrix([CABINET, (47.40, 0.69)]).meters[0][1]


def test_solver_uses_the_osrm_matrix(fake_osrm):
    stops = [stop("a", 0.01, 0), stop("b", 0.02, 0)]
    solution = optimise(nurse(), stops, source=build_source(osrm_url=fake_osrm), options=FAST)
    # Fake OSRM: 1 km per index step; points are [a, b, start, end].
    assert solution.meters == 5000
