"""Benchmark of the tournée optimiser: one nurse, 40 visits of the demo.

    python bench/tournee.py [--stops 40] [--seed 17] [--budget 50000] [--time-limit 2]
                            [--best-known-budget 3000000] [--database-url URL]

The day is fixed (`demo_day_stops`): the demo patients (demo addresses,
offline geocoder) with their demo care-plan scenario on a Tuesday (insulin
morning and evening, hygiene care, dressings, fasting blood samples…), in a
seeded order that is the reference route; each window is set around the
visit's time on that route, so a route keeping every window exists. The
same 40 visits whatever today's date, with the same travel model (straight
line × 1.3 at 30 km/h, offline) whatever the settings. One nurse, from and
back to the cabinet, 06:30–21:00. Compares in the same run:

- the care-plan order (by preferred time: the reference route),
- a nearest-neighbour order,
- the optimiser (`--budget` search steps, deterministic; `--time-limit`
  stops it earlier on a slow machine, and the bench then says so),
- a long run of the same optimiser (`--best-known-budget`) as the best known.

Then times claire's « Ma journée » page on the demo's next Tuesday (a
throwaway SQLite database with the demo, or `--database-url`).
Prints the figures, the ratios, then one JSON line:
{"stops", "solve_s", "km_plan_order", "km_nearest_neighbour", "km_optimised",
 "km_best_known", "cost_ratio", "best_known_s", "late_visits"}.
Every figure but the times is the same run to run. The machine may be
shared: times are indicative.
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

from bench import optimiser_runs as runs  # noqa: E402
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


# The instance: a fixed seed and a fixed weekday (a Tuesday, when every
# weekday care plan of the demo has a visit), never "tomorrow".
SEED = 17
WEEKDAY = 1  # Tuesday (Monday = 0)
CABINET = (47.3941, 0.6848)  # the demo cabinet (core.demo)
# Durations capped so that 40 visits fit in one nurse's day (06:30–21:00).
MAX_DURATION = 15
# The reference route's evening round (evening insulin) starts then.
EVENING = 16 * 60 + 30


def demo_day_stops(count: int = 40, seed: int = SEED):
    """(nurse, stops): one nurse's day of `count` visits to the demo patients.

    Each located demo patient (offline geocoder, the demo addresses) brings
    the visits of its first demo care-plan scenario on a Tuesday (insulin
    brings a morning and an evening visit), in a seeded order, until `count`
    visits; durations and window widths are the scenario's (durations capped
    at MAX_DURATION). The visits in that order, evening ones last, form the
    reference route, and every window is set around its time on it
    (`bench/instances.py`): a route keeping every window exists. No date,
    no database: the same instance on any day and machine.
    """
    import random

    from bench.instances import Spec, schedule
    from cabinet import demo
    from cabinet.geocoding import OfflineGeocoder
    from cabinet.routing import Nurse

    geocoder = OfflineGeocoder()
    rnd = random.Random(seed)
    patients = []
    for index, row in enumerate(demo.PATIENTS):
        number, street = row[4], row[5]
        found = geocoder.geocode(address=f"{number} {street}", postcode="37000", city="Tours")
        if found is None or index not in demo.CARE:
            continue
        patients.append((index, float(found.latitude), float(found.longitude)))
    rnd.shuffle(patients)
    day, evening = [], []
    for index, lat, lon in patients:
        scenario = demo.CARE[index][0][0]
        (_, recurrence, _, weekdays, times, window, hard, duration, *_) = demo.SCENARIOS[scenario]
        if recurrence == "weekdays" and WEEKDAY + 1 not in weekdays:
            continue
        for t in times:
            if len(day) + len(evening) >= count:
                break
            spec = Spec(id=f"{demo.PATIENTS[index][0]}-{t}", lat=lat, lon=lon,
                        duration=min(duration, MAX_DURATION),
                        window=window, hard=hard,
                        not_before=EVENING if t >= "18:00" else 0)
            (evening if t >= "18:00" else day).append(spec)
    if len(day) + len(evening) < count:
        raise ValueError(f"the demo has only {len(day) + len(evening)} visits on a Tuesday")
    nurse = Nurse(id="nurse", lat=CABINET[0], lon=CABINET[1],
                  shift_start=6 * 60 + 30, shift_end=21 * 60)
    stops = schedule(nurse, day + evening)
    return nurse, sorted(stops, key=lambda s: str(s.id))


def next_weekday(today, weekday: int = WEEKDAY):
    """The first such weekday after today (the demo's visits of that day)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


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
    parser.add_argument("--seed", type=int, default=SEED)
    runs.add_optimiser_arguments(parser, budget=50_000, time_limit=2.0, best_known_budget=3_000_000)
    parser.add_argument("--database-url", default=None,
                        help="an existing database (migrated and seeded here if needed), "
                             "e.g. PostgreSQL to time the \"Ma journée\" page on it")
    parser.add_argument("--my-day-repeat", type=int, default=30)
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.utils import timezone

    from bench.instances import SOURCE
    from cabinet.routing import Options, Problem

    nurse, stops = demo_day_stops(args.stops, args.seed)
    problem = Problem([nurse], stops, SOURCE)
    plan = problem.time_order()
    nearest = problem.nearest_neighbour()
    optimised = problem.solve(Options(time_limit_s=args.time_limit, budget=args.budget))
    best, best_s = runs.best_known(problem, optimised, args)

    def line(name, solution):
        late = sum(x.minutes for x in solution.late)
        print(f"{name:<32} {solution.km:>6.1f} km  {solution.drive_minutes:>4} min de route  "
              f"{len(solution.late):>2} en retard ({late} min au total)  coût {solution.cost}")

    print(f"Demo day (a Tuesday, seed {args.seed}): {len(stops)} visits for one nurse "
          f"({sum(1 for s in stops if s.hard)} hard windows), straight line × "
          f"{SOURCE.road_factor} at {SOURCE.average_speed_kmh:g} km/h")
    runs.print_solutions(line, args, plan=plan, nearest=nearest, optimised=optimised, best=best)
    print(f"solve time {optimised.solve_seconds:.2f} s (target < 2 s); best known {best_s:.1f} s")
    runs.note_time_limit(optimised, args, "route")
    cost_ratio = runs.print_ratios(plan=plan, nearest=nearest, optimised=optimised, best=best,
                                   targets={"plan": " (target ≤ 0.85)", "best_km": "; target ≤ 1.02"})
    day = next_weekday(timezone.localdate())
    my_day_ms, my_day_queries, my_day_visits = time_my_day(day, args.my_day_repeat)
    from django.db import connection

    print(f"\"Ma journée\" of claire on {day:%d/%m/%Y} ({my_day_visits} visits, "
          f"{connection.vendor}): median {my_day_ms:.1f} ms server time, "
          f"{my_day_queries} SQL queries")
    print(json.dumps({
        "stops": len(stops),
        "solve_s": round(optimised.solve_seconds, 3),
        "km_plan_order": plan.km,
        "km_nearest_neighbour": nearest.km,
        "km_optimised": optimised.km,
        "km_best_known": best.km,
        "cost_ratio": round(cost_ratio, 4),
        "best_known_s": round(best_s, 1),
        "late_visits": len(optimised.late),
    }))


if __name__ == "__main__":
    main()
