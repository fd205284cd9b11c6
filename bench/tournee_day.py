"""Benchmark of the cabinet-day dispatch: 4 nurses, 120 visits.

    python bench/tournee_day.py [--visits 120] [--nurses 4] [--time-limit 5]
                                [--best-known-seconds 60] [--seed 1]

The demo cabinet has about 45 visits a day, so this day is synthetic but
shaped like the demo: patients scattered over the demo patients' area of
Tours, the demo care-plan scenarios (insulin at 08:00 and 19:00 with hard
windows, hygiene care, dressings, fasting blood samples before 08:00, …) with
their windows and durations, each patient with a referent nurse by sector,
a few visits needing a skill only one nurse has, a few visits that must follow
another. Nothing is assigned: the dispatch shares the visits among the nurses
(balanced work, the referent nurse when possible) and orders every route.

Compares, in the same run: the care-plan order with each visit given to its
referent nurse, a nearest-neighbour dispatch, the optimiser with its default
time limit, and a long OR-Tools run (`--best-known-seconds`) as the best known.
Straight-line × road factor travel (offline). Prints the figures, then one
JSON line {"visits", "nurses", "solve_s", "km_plan_order", "km_nearest_neighbour",
"km_optimised", "km_best_known", "late_visits", "work_minutes"}.
The machine may be shared: timings are indicative.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CABINET = (47.3941, 0.6848)
# Demo patients' area (Tours centre, Prébendes, Fuye, Tranchée).
LAT_RANGE = (47.378, 47.405)
LON_RANGE = (0.665, 0.705)

# (weight, times, window ± min, hard, duration) — the demo care-plan scenarios.
SCENARIOS = [
    (5, ["08:00", "19:00"], 30, True, 15),  # insuline
    (4, ["10:00"], 60, False, 20),  # pansement
    (3, ["11:00"], 60, False, 30),  # ulcère
    (3, ["08:30"], 60, False, 30),  # BSI intermédiaire
    (3, ["09:30"], 60, False, 20),  # BSI léger
    (1, ["07:45"], 30, False, 45),  # BSI lourd
    (1, ["07:30"], 30, True, 10),  # prise de sang à jeun
    (3, ["12:00"], 60, False, 10),  # surveillance du traitement
    (4, ["18:00"], 60, False, 15),  # soins du soir
    (3, ["15:00"], 90, False, 20),  # après-midi
    (2, ["17:00"], 60, False, 20),  # pansement du soir
]


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def synthetic_day(visits: int, nurses: int, seed: int):
    from cabinet.routing import Nurse, Stop

    rnd = random.Random(seed)
    nurse_list = [
        Nurse(id=f"n{k + 1}", lat=CABINET[0], lon=CABINET[1], shift_start=6 * 60 + 30,
              shift_end=21 * 60, skills=frozenset({"picc"}) if k == 0 else frozenset())
        for k in range(nurses)
    ]
    stops: list[Stop] = []
    weights = [s[0] for s in SCENARIOS]
    patient = 0
    while len(stops) < visits:
        patient += 1
        lat = rnd.uniform(*LAT_RANGE)
        lon = rnd.uniform(*LON_RANGE)
        # Referent nurse by sector: the quadrant around the cabinet.
        sector = (lat > CABINET[0]) * 2 + (lon > CABINET[1])
        referent = nurse_list[sector % nurses].id
        _, times, window, hard, duration = rnd.choices(SCENARIOS, weights)[0]
        for t in times:
            if len(stops) >= visits:
                break
            at = minutes(t)
            stops.append(Stop(
                id=f"p{patient}-{t}", lat=lat, lon=lon, window_start=at - window,
                window_end=at + window, hard=hard, preferred_time=None if hard else at,
                duration=duration, preferred_nurse=referent,
            ))
    # A few visits need the PICC skill; a few must follow another (same patient area).
    for i in range(0, len(stops), 25):
        stops[i] = replace(stops[i], skill="picc")
    for i in range(5, len(stops) - 1, 30):
        first, second = stops[i], stops[i + 1]
        if first.window_start <= second.window_end:
            stops[i + 1] = replace(second, lat=first.lat + 0.0005, lon=first.lon,
                                   after=first.id)
    return nurse_list, stops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=120)
    parser.add_argument("--nurses", type=int, default=4)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--best-known-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    from cabinet.routing import Options, Problem, StraightLineSource

    nurses, stops = synthetic_day(args.visits, args.nurses, args.seed)
    import time

    began = time.monotonic()
    problem = Problem(nurses, stops, StraightLineSource())
    matrix_s = time.monotonic() - began
    # Care-plan order: every visit with its referent nurse (or the skilled one), by time.
    by_referent = {n.id: [] for n in nurses}
    for stop in sorted(stops, key=lambda s: (s.preferred_time or s.window_start, str(s.id))):
        nurse = stop.preferred_nurse
        if stop.skill:
            nurse = next(n.id for n in nurses if stop.skill in n.skills)
        if stop.after is not None:
            nurse = next(x for x in by_referent if any(
                sid == stop.after for sid in by_referent[x])) if any(
                stop.after in v for v in by_referent.values()) else nurse
        by_referent[nurse].append(stop.id)
    plan = problem.evaluate(by_referent, status="care_plan_order")
    nearest = problem.nearest_neighbour()
    began = time.monotonic()
    optimised = problem.solve(Options(time_limit_s=args.time_limit))
    solve_s = time.monotonic() - began + matrix_s
    best = problem.solve(Options(time_limit_s=args.best_known_seconds))
    if best.cost > optimised.cost:
        best = optimised

    def line(name, s):
        works = [r.work_minutes for r in s.routes.values()]
        late = sum(x.minutes for x in s.late)
        print(f"{name:<24} {s.km:>6.1f} km  {s.drive_minutes:>4} min de route  "
              f"{len(s.late):>3} en retard ({late} min)  travail {min(works)}–{max(works)} min  "
              f"coût {s.cost}")

    print(f"Synthetic cabinet day: {len(stops)} visits, {len(nurses)} nurses, "
          f"{sum(1 for s in stops if s.hard)} hard windows, "
          f"{sum(1 for s in stops if s.skill)} needing a skill, "
          f"{sum(1 for s in stops if s.after)} after another")
    line("care-plan order", plan)
    line("nearest neighbour", nearest)
    line(f"optimised ({args.time_limit:g} s)", optimised)
    line(f"best known ({args.best_known_seconds:g} s)", best)
    kept = sum(1 for n in nurses for sid in optimised.order(n.id)
               if next(s for s in stops if s.id == sid).preferred_nurse == n.id)
    print(f"dispatch + ordering {solve_s:.2f} s (matrix {matrix_s:.2f} s); "
          f"{kept}/{len(stops)} visits with the referent nurse")
    print(f"ratios: optimised/plan order {optimised.km / plan.km:.3f}, "
          f"optimised/nearest neighbour {optimised.km / nearest.km:.3f}, "
          f"optimised/best known {optimised.km / best.km:.3f} (km), "
          f"cost optimised/best known {optimised.cost / best.cost:.3f}")
    print(json.dumps({
        "visits": len(stops), "nurses": len(nurses), "solve_s": round(solve_s, 3),
        "km_plan_order": plan.km, "km_nearest_neighbour": nearest.km,
        "km_optimised": optimised.km, "km_best_known": best.km,
        "late_visits": len(optimised.late),
        "work_minutes": [r.work_minutes for r in optimised.routes.values()],
    }))


if __name__ == "__main__":
    main()
