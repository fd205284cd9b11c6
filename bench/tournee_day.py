"""Benchmark of the cabinet-day dispatch: 4 nurses, 120 visits.

    python bench/tournee_day.py [--visits 120] [--nurses 4] [--seed 1]
                                [--budget 100000] [--time-limit 10]
                                [--best-known-budget 1200000]

A fixed synthetic day shaped like the demo (the demo cabinet has about 45
visits a day): patients scattered over the demo patients' area of Tours in
four sectors, one per nurse, with the demo care-plan scenarios (insulin
morning and evening with hard windows, hygiene care, dressings, fasting blood
samples, …) for durations and window widths; a few visits need a skill only
the first nurse has, a few must follow another. Each sector's visits in a
seeded order form a reference route and every window is set around its time
on that route (`bench/instances.py`), so a plan keeping every window exists
and the figures do not depend on the date, the machine or the settings.
Nothing is assigned: the dispatch shares the visits among the nurses
(balanced work, the referent nurse when possible) and orders every route.

Compares, in the same run: the care-plan order (each visit with its referent
nurse, by time), a nearest-neighbour dispatch, the optimiser, and a long run
of the same optimiser as the best known. Both searches stop after a fixed
number of search steps (`--budget`, `--best-known-budget`), so their routes
are the same run to run; `--time-limit` stops the first one earlier on a
slow machine (then said, as its figures may then differ). Straight line ×
1.3 at 30 km/h (offline). Prints the figures, then one JSON line
{"visits", "nurses", "solve_s", "km_plan_order", "km_nearest_neighbour",
"km_optimised", "km_best_known", "cost_ratio", "best_known_s", "late_visits",
"work_minutes"}. The machine may be shared: times are indicative.
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

from bench import optimiser_runs as runs  # noqa: E402

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


# The reference routes' evening round starts then (after the afternoon break).
EVENING = 16 * 60 + 30


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def synthetic_day(visits: int, nurses: int, seed: int):
    """(nurses, stops): each nurse's sector (a quadrant around the cabinet)
    gets its share of patients, drawn with the seed; their care-plan scenarios
    give durations, windows and second visits (evening insulin); each
    sector's visits in a seeded order form a reference route that keeps
    every window (`bench.instances`), and that nurse is the patients'
    referent. Then a few of the first nurse's visits need her PICC skill and
    a few visits must follow the one before (same patient, next door)."""
    from bench.instances import Spec, schedule
    from cabinet.routing import Nurse

    rnd = random.Random(seed)
    nurse_list = [
        Nurse(id=f"n{k + 1}", lat=CABINET[0], lon=CABINET[1], shift_start=6 * 60 + 30,
              shift_end=21 * 60, skills=frozenset({"picc"}) if k == 0 else frozenset())
        for k in range(nurses)
    ]
    weights = [s[0] for s in SCENARIOS]
    stops = []
    patient = 0
    for k, nurse in enumerate(nurse_list):
        share = visits // nurses + (1 if k < visits % nurses else 0)
        north, east = (k // 2) % 2, k % 2
        lat_range = (CABINET[0], LAT_RANGE[1]) if north else (LAT_RANGE[0], CABINET[0])
        lon_range = (CABINET[1], LON_RANGE[1]) if east else (LON_RANGE[0], CABINET[1])
        day, evening = [], []
        while len(day) + len(evening) < share:
            patient += 1
            lat, lon = rnd.uniform(*lat_range), rnd.uniform(*lon_range)
            _, times, window, hard, duration = rnd.choices(SCENARIOS, weights)[0]
            duration = min(duration, 20)  # 30 visits must fit in one nurse's day
            for t in times:
                if len(day) + len(evening) >= share:
                    break
                spec = Spec(id=f"p{patient}-{t}", lat=lat, lon=lon, duration=duration,
                            window=min(window, 30) if hard else window, hard=hard,
                            not_before=EVENING if t >= "18:00" else 0)
                (evening if t >= "18:00" else day).append(spec)
        rnd.shuffle(day)
        rnd.shuffle(evening)
        route = day + evening
        for i in range(3, len(route) - 1, 12):
            # The next visit is the same patient's second care, after this one.
            first = route[i]
            route[i + 1] = replace(route[i + 1], lat=first.lat + 0.0005, lon=first.lon,
                                   after=first.id)
        if k == 0:
            for i in range(0, len(route), 8):
                route[i] = replace(route[i], skill="picc")
        stops.extend(schedule(nurse, route, referent=nurse.id))
    stops.sort(key=lambda s: str(s.id))
    return nurse_list, stops


def care_plan_orders(nurses, stops) -> dict:
    """Every visit with its referent nurse (the skilled one for a skill, the
    nurse of the visit it follows), each nurse's visits by time."""
    by_referent = {n.id: [] for n in nurses}
    placed = {}
    for stop in sorted(stops, key=lambda s: (s.preferred_time or s.window_start, str(s.id))):
        nurse = stop.preferred_nurse
        if stop.skill:
            nurse = next(n.id for n in nurses if stop.skill in n.skills)
        if stop.after in placed:
            nurse = placed[stop.after]
        by_referent[nurse].append(stop.id)
        placed[stop.id] = nurse
    return by_referent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=120)
    parser.add_argument("--nurses", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    runs.add_optimiser_arguments(parser, budget=100_000, time_limit=10.0,
                            best_known_budget=1_200_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import time

    from bench.instances import SOURCE
    from cabinet.routing import Options, Problem

    nurses, stops = synthetic_day(args.visits, args.nurses, args.seed)
    began = time.monotonic()
    problem = Problem(nurses, stops, SOURCE)
    matrix_s = time.monotonic() - began
    plan = problem.evaluate(care_plan_orders(nurses, stops), status="care_plan_order")
    nearest = problem.nearest_neighbour()
    optimised = problem.solve(Options(time_limit_s=args.time_limit, budget=args.budget))
    solve_s = optimised.solve_seconds + matrix_s
    best, best_s = runs.best_known(problem, optimised, args)

    def line(name, s):
        works = [r.work_minutes for r in s.routes.values()]
        late = sum(x.minutes for x in s.late)
        print(f"{name:<34} {s.km:>6.1f} km  {s.drive_minutes:>4} min de route  "
              f"{len(s.late):>3} en retard ({late} min)  travail {min(works)}–{max(works)} min  "
              f"coût {s.cost}")

    print(f"Synthetic cabinet day (seed {args.seed}): {len(stops)} visits, {len(nurses)} nurses, "
          f"{sum(1 for s in stops if s.hard)} hard windows, "
          f"{sum(1 for s in stops if s.skill)} needing a skill, "
          f"{sum(1 for s in stops if s.after)} after another")
    runs.print_solutions(line, args, plan=plan, nearest=nearest, optimised=optimised, best=best)
    kept = sum(1 for n in nurses for sid in optimised.order(n.id)
               if next(s for s in stops if s.id == sid).preferred_nurse == n.id)
    print(f"dispatch + ordering {solve_s:.2f} s (matrix {matrix_s:.2f} s), best known "
          f"{best_s:.1f} s; {kept}/{len(stops)} visits with the referent nurse")
    runs.note_time_limit(optimised, args, "routes")
    cost_ratio = runs.print_ratios(plan=plan, nearest=nearest, optimised=optimised, best=best,
                                   targets={"cost": " (target ≤ 1.05 in 10 s)"})
    print(json.dumps({
        "visits": len(stops), "nurses": len(nurses), "solve_s": round(solve_s, 3),
        "km_plan_order": plan.km, "km_nearest_neighbour": nearest.km,
        "km_optimised": optimised.km, "km_best_known": best.km,
        "cost_ratio": round(cost_ratio, 4), "best_known_s": round(best_s, 1),
        "late_visits": len(optimised.late),
        "work_minutes": [r.work_minutes for r in optimised.routes.values()],
    }))


if __name__ == "__main__":
    main()
