"""What the tournée benchmarks share about the optimiser: its command-line budget, the
« best known » long run the optimised route is compared with, and the note when the time
limit, not the budget, ended the search."""

from __future__ import annotations


def add_optimiser_arguments(parser, *, budget: int, time_limit: float,
                            best_known_budget: int) -> None:
    parser.add_argument("--budget", type=int, default=budget,
                        help="search steps of the optimiser (deterministic)")
    parser.add_argument("--time-limit", type=float, default=time_limit,
                        help="wall-clock limit of the optimiser (s)")
    parser.add_argument("--best-known-budget", type=int, default=best_known_budget)
    parser.add_argument("--best-known-seconds", type=float, default=600.0,
                        help="wall-clock safety limit of the long run (s)")


def best_known(problem, optimised, args):
    """(the best known solution, seconds of the long run): the long run is the best known
    only if it did better than the optimised one."""
    from cabinet.routing import Options

    best = problem.solve(Options(time_limit_s=args.best_known_seconds,
                                 budget=args.best_known_budget))
    return (optimised if best.cost > optimised.cost else best), best.solve_seconds


def note_time_limit(optimised, args, routes: str) -> None:
    if optimised.solve_seconds >= 0.98 * args.time_limit:
        print(f"note: the {args.time_limit:g} s time limit ended the search before its budget "
              f"(slow or busy machine): this run's {routes} may differ from another's")


def print_solutions(line, args, *, plan, nearest, optimised, best) -> None:
    """The four solutions compared, each drawn by the benchmark's own `line(name, solution)`."""
    line("care-plan order", plan)
    line("nearest neighbour", nearest)
    line(f"optimised ({args.budget} steps)", optimised)
    line(f"best known ({args.best_known_budget} steps)", best)


def print_ratios(*, plan, nearest, optimised, best, targets: dict[str, str]) -> float:
    """The optimised route against the others (km), and against the best known (cost);
    `targets` adds each figure's target ("plan", "best_km", "cost"). Returns the cost ratio."""
    cost_ratio = optimised.cost / best.cost
    print(f"ratios: optimised/plan order {optimised.km / plan.km:.3f}{targets.get('plan', '')}, "
          f"optimised/nearest neighbour {optimised.km / nearest.km:.3f}, "
          f"optimised/best known {optimised.km / best.km:.3f} (km{targets.get('best_km', '')}), "
          f"cost optimised/best known {cost_ratio:.3f}{targets.get('cost', '')}")
    return cost_ratio
