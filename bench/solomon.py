"""The Solomon VRPTW benchmark, solved by the tournées' own routing module.

    python bench/solomon.py [--solver auto|ortools|pyvrp] [--seconds 10]
                            [--sizes 25,50,100] [--instances C101,R101,...]

Six classic instances (C101, C201, R101, R201, RC101, RC201) at 25, 50 and
100 customers (the 25/50 versions are the depot plus the first 25/50
customers), from `bench/data/solomon/` (origin and licences in its README).
Each is handed to `cabinet.routing.Problem` like a cabinet day: one nurse per
vehicle of the fleet, all starting and ending at the depot, the customers as
visits with hard windows and their demand against the vehicle capacity, and
solved with `--seconds` of time limit by the chosen solver: `auto` (the
default) lets the routing module choose, which for these problems (hard
windows and capacities only) is PyVRP; `ortools` and `pyvrp` force one.

Convention `distance only` (the one of the best known values used here):
each arc is the Euclidean distance truncated to one decimal, travel time
equals arc length, the number of vehicles is free (no cost per route). In
the routing module one unit of Solomon time is one minute and one tenth of
distance is one "metre", so every value is an exact integer.

Every solution is checked by `cabinet.routing.solomon.check_routes`, which
recomputes distances and times from the file, independently of the solver.
Prints per instance the distance, the number of routes, feasibility, the gap
to the best known and the routes, then one JSON line
{"instances", "seconds", "mean_gap_25", "mean_gap_50", "mean_gap_100",
 "max_gap", "infeasible"} (gaps in %, over the feasible solutions; an
infeasible one is counted in "infeasible", never averaged in).
The machine may be shared: the time limit is wall-clock.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data" / "solomon"
INSTANCES = ["C101", "C201", "R101", "R201", "RC101", "RC201"]
SIZES = [25, 50, 100]
# Solomon time unit -> the routing module's seconds (one unit is one minute;
# arcs are in tenths, so a tenth of time is 6 s).
SECONDS_PER_TENTH = 6


def solomon_problem(instance):
    """The instance as a routing `Problem`: nurses = vehicles, stops = customers."""
    from cabinet.routing import Nurse, Problem, Stop, TravelMatrix
    from cabinet.routing.solomon import distance_matrix

    depot = instance.depot
    nurses = [
        Nurse(id=f"v{k + 1}", lat=depot.y, lon=depot.x, shift_start=depot.ready,
              shift_end=depot.due, capacity=instance.capacity)
        for k in range(instance.vehicles)
    ]
    stops = [
        Stop(id=c.number, lat=c.y, lon=c.x, window_start=c.ready, window_end=c.due,
             duration=c.service, hard=True, demand=c.demand)
        for c in instance.customers
    ]
    # Problem's node order: stops, then each nurse's start, then each end.
    tenths = distance_matrix(instance)
    node = [1 + i for i in range(instance.size)] + [0] * (2 * len(nurses))
    meters = [[tenths[a][b] for b in node] for a in node]
    seconds = [[SECONDS_PER_TENTH * d for d in row] for row in meters]
    return Problem(nurses, stops, matrix=TravelMatrix(meters, seconds, "solomon"))


def solve(instance, solver: str, seconds: float, seed: int = 1):
    from cabinet.routing import Options

    problem = solomon_problem(instance)
    options = Options(time_limit_s=seconds, balance_cost=0, solver=solver, seed=seed)
    solution = problem.solve(options)
    routes = [route.order for route in solution.routes.values() if route.stops]
    return routes, solution


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--solver", choices=["auto", "ortools", "pyvrp"], default="auto")
    parser.add_argument("--seconds", type=float, default=10.0, help="time limit per instance")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--instances", default=",".join(INSTANCES))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from cabinet.routing.solomon import check_routes, read_best_known, read_instance

    best_known = read_best_known(DATA / "best_known.csv")
    sizes = [int(s) for s in args.sizes.split(",")]
    names = [n.strip().upper() for n in args.instances.split(",")]
    gaps: dict[int, list[float]] = {size: [] for size in sizes}
    infeasible = 0
    count = 0
    print(f"Solomon VRPTW, distance only (arcs truncated to 0.1), solver {args.solver}, "
          f"{args.seconds:g} s per instance")
    for size in sizes:
        for name in names:
            instance = read_instance(DATA / f"{name}.txt", customers=size)
            routes, solution = solve(instance, args.solver, args.seconds, args.seed)
            check = check_routes(instance, routes)
            best = best_known[(name, size)]
            gap = 100 * (check.distance - best.distance) / best.distance
            count += 1
            if check.feasible:
                gaps[size].append(gap)
            else:
                infeasible += 1
            print(f"{name:<6}{size:>4}  {check.distance:>8.1f}  best known {best.distance:>7.1f}"
                  f"  gap {gap:+6.2f} %  {len(routes):>2} routes (best known {best.vehicles:>2})"
                  f"  {'feasible' if check.feasible else 'INFEASIBLE'}"
                  f"  {solution.solve_seconds:.1f} s {solution.solver}")
            for error in check.errors[:5]:
                print(f"    ! {error}")
            for route in routes:
                print("    " + " ".join(str(c) for c in route))

    def mean(values):
        return round(statistics.fmean(values), 3) if values else None

    every = [g for values in gaps.values() for g in values]
    print(json.dumps({
        "instances": count,
        "seconds": args.seconds,
        "mean_gap_25": mean(gaps.get(25, [])),
        "mean_gap_50": mean(gaps.get(50, [])),
        "mean_gap_100": mean(gaps.get(100, [])),
        "max_gap": round(max(every), 3) if every else None,
        "infeasible": infeasible,
    }))


if __name__ == "__main__":
    main()
