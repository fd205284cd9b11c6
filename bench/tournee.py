"""Benchmark of the tournée optimiser: one nurse, 40 visits, on the demo data.

    python bench/tournee.py [--stops 40] [--time-limit 1] [--best-known-seconds 60]
                            [--database-url URL]

Loads the demo cabinet (patients in Tours, care plans, their visits) into a
throwaway SQLite database (or uses `--database-url`, already seeded), takes
the first `--stops` visits of tomorrow (every demo nurse's visits pooled,
ordered by time as in the care plans) as one nurse's day, starting and ending
at the cabinet, and compares in the same run:

- the care-plan order (by preferred time, then window),
- a nearest-neighbour order,
- the optimiser with its default time limit (what a nurse gets),
- a long OR-Tools run (`--best-known-seconds`, default 60 s) as the best known.

Travel: straight line × road factor at the configured average speed (offline).
Prints the figures, the ratios, then one JSON line:
{"stops", "solve_s", "km_plan_order", "km_nearest_neighbour", "km_optimised",
 "km_best_known", "late_visits"}.
The machine may be shared: timings are indicative.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import ensure_database  # noqa: E402


def setup_django(database_url: str | None) -> None:
    """Django on the given database, or on a fresh SQLite file with the demo."""
    fresh = database_url is None
    if fresh:
        handle, path = tempfile.mkstemp(prefix="cabinet-bench-", suffix=".sqlite3")
        os.close(handle)
        atexit.register(lambda: os.path.exists(path) and os.remove(path))
        database_url = f"sqlite:///{path}"
    elif database_url.startswith("postgres"):
        ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cabinet.models import Tournee

    if fresh or not Tournee.objects.exists():
        # Only what the tournées need: users and cabinet, then patients and visits.
        import cabinet.demo
        import core.demo

        core.demo.seed()
        cabinet.demo.seed()


def demo_day_stops(count: int):
    """(nurse, stops) for one nurse taking the first `count` visits of tomorrow."""
    from django.utils import timezone

    from cabinet.models import Visit
    from cabinet.models.visits import VisitStatus
    from cabinet.routing import Nurse
    from cabinet.services import tournees as service
    from core.models import Cabinet

    day = timezone.localdate() + timedelta(days=1)
    visits = list(
        Visit.objects.filter(date=day).exclude(status=VisitStatus.CANCELLED)
        .select_related("patient").order_by("preferred_time", "window_start", "pk")[:count]
    )
    cabinet = Cabinet.current()
    nurse = Nurse(id="nurse", lat=float(cabinet.latitude), lon=float(cabinet.longitude),
                  shift_start=6 * 60 + 30, shift_end=21 * 60)
    stops = [service._stop(v, nurse_id="nurse") for v in visits]
    return day, nurse, stops


def time_my_day(day, repeat: int) -> tuple[float, int, int]:
    """Median server time (ms) and query count of claire's "Ma journée"."""
    import statistics
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cabinet.models import Visit
    from core.models import User

    claire = User.objects.get(username="claire")
    client = Client()
    client.force_login(claire)
    url = f"/cabinet/ma-journee/?jour={day.isoformat()}"
    client.get(url)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    visits = Visit.objects.filter(nurse=claire, date=day).count()
    return statistics.median(timings), len(queries.captured_queries), visits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stops", type=int, default=40)
    parser.add_argument("--time-limit", type=float, default=None,
                        help="optimiser time limit (s); default: ROUTING_TIME_LIMIT_S")
    parser.add_argument("--best-known-seconds", type=float, default=60.0)
    parser.add_argument("--database-url", default=None,
                        help="an existing database (migrated and seeded here if needed), "
                             "e.g. PostgreSQL to time the \"Ma journée\" page on it")
    parser.add_argument("--my-day-repeat", type=int, default=30)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.conf import settings

    from cabinet.routing import Options, Problem
    from cabinet.services import tournees as service

    day, nurse, stops = demo_day_stops(args.stops)
    problem = Problem([nurse], stops, service.distance_source())
    plan = problem.time_order()
    nearest = problem.nearest_neighbour()
    limit = args.time_limit or settings.ROUTING_TIME_LIMIT_S
    optimised = problem.solve(Options(time_limit_s=limit))
    best = problem.solve(Options(time_limit_s=args.best_known_seconds))
    if best.cost > optimised.cost:  # the long run is the best known only if it is best
        best = optimised

    def line(name, solution):
        late = sum(x.minutes for x in solution.late)
        print(f"{name:<22} {solution.km:>6.1f} km  {solution.drive_minutes:>4} min de route  "
              f"{len(solution.late):>2} en retard ({late} min au total)  coût {solution.cost}")

    print(f"Demo day {day:%d/%m/%Y}: {len(stops)} visits for one nurse "
          f"({sum(1 for s in stops if s.hard)} hard windows), "
          f"road factor {settings.ROUTING_ROAD_FACTOR} at {settings.ROUTING_AVERAGE_SPEED_KMH} km/h")
    line("care-plan order", plan)
    line("nearest neighbour", nearest)
    line(f"optimised ({limit:g} s)", optimised)
    line(f"best known ({args.best_known_seconds:g} s)", best)
    print(f"solve time {optimised.solve_seconds:.2f} s")
    print(f"ratios: optimised/plan order {optimised.km / plan.km:.3f}, "
          f"optimised/nearest neighbour {optimised.km / nearest.km:.3f}, "
          f"optimised/best known {optimised.km / best.km:.3f} (km), "
          f"cost optimised/best known {optimised.cost / best.cost:.3f}")
    # Each demo nurse's own tournée of that day (what the demo shows).
    from cabinet.models import Tournee

    for tournee in Tournee.objects.filter(date=day).select_related("nurse").order_by(
            "nurse__username"):
        visits = list(service._planned(service.tournee_visits(tournee)))
        if not visits:
            continue
        own = Problem([service._nurse(tournee)],
                      [service._stop(v, nurse_id=tournee.nurse_id) for v in visits],
                      service.distance_source())
        own_plan = own.time_order()
        own_opt = own.solve(Options(time_limit_s=limit))
        print(f"  {tournee.nurse.username:<8} {len(visits):>2} visits: care-plan order "
              f"{own_plan.km} km, {len(own_plan.late)} late -> optimised {own_opt.km} km, "
              f"{len(own_opt.late)} late ({own_opt.km / own_plan.km:.2f})")
    my_day_ms, my_day_queries, my_day_visits = time_my_day(day, args.my_day_repeat)
    from django.db import connection

    print(f"\"Ma journée\" ({my_day_visits} visits, {connection.vendor}): median "
          f"{my_day_ms:.1f} ms server time, {my_day_queries} SQL queries")
    print(json.dumps({
        "stops": len(stops),
        "solve_s": round(optimised.solve_seconds, 3),
        "km_plan_order": plan.km,
        "km_nearest_neighbour": nearest.km,
        "km_optimised": optimised.km,
        "km_best_known": best.km,
        "late_visits": len(optimised.late),
    }))


if __name__ == "__main__":
    main()
