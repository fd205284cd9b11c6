"""PyVRP (hybrid genetic search) behind the same `Problem`, for the problems
it can express.

PyVRP 0.14 models hard time windows, fixed times (a window of one instant),
capacities, shifts and several start/end points, and minimises distance.
It has no soft window with a cost per minute late, no "this visit after
that one", no per-visit set of allowed vehicles (skills, a visit kept with
its nurse), no cost for a nurse other than the referent, no break and no
balance between routes. A problem that needs one of them raises
`NotExpressible` (with the reason): the tournées keep OR-Tools, which has them
all (README, "Choix du solveur").
"""

from __future__ import annotations

import time
from collections.abc import Hashable

MINUTE = 60


class NotExpressible(ValueError):
    """The problem uses a constraint PyVRP cannot model."""


def unsupported(problem, options) -> list[str]:
    """Why PyVRP cannot solve this problem exactly (empty: it can)."""
    reasons = []
    stops = problem.stops
    if any(not s.hard and s.locked_time is None for s in stops):
        reasons.append("soft windows (a cost per minute past the preferred time)")
    if problem.precedences:
        reasons.append("a visit after another")
    k = len(problem.nurses)
    if k > 1 and any(len(problem.allowed_vehicles(s)) < k for s in stops):
        reasons.append("visits restricted to some nurses (skills, assigned visits)")
    if k > 1 and any(s.preferred_nurse is not None and s.nurse is None for s in stops):
        reasons.append("the referent nurse's preference")
    if k > 1 and options.balance_cost > 0:
        reasons.append("balance between the nurses' days")
    if any(getattr(n, "breaks", ()) for n in problem.nurses):
        reasons.append("breaks")
    return reasons


def solve(problem, options, *, deadline: float) -> dict[Hashable, list[Hashable]] | None:
    """Orders (nurse id -> stop ids) found by PyVRP within the deadline, or
    None when it found no feasible solution. Raises `NotExpressible`."""
    reasons = unsupported(problem, options)
    if reasons:
        raise NotExpressible("PyVRP cannot express: " + ", ".join(reasons))
    from pyvrp import Model
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    model = Model()
    # PyVRP knows places only through the edges given below (from the
    # Problem's matrix). Start/end nodes with the same matrix rows are one
    # depot, and nurses with the same depots, shift and capacity one vehicle
    # type: the Solomon fleet is one type of 25 vehicles, not 25 types.
    places: list[tuple[object, int]] = []  # (PyVRP location, Problem node)
    depots: dict[tuple, object] = {}
    depot_of_node: dict[int, object] = {}
    for node in problem.starts + problem.ends:
        key = (tuple(problem.meters[node]), tuple(problem.seconds[node]),
               tuple(row[node] for row in problem.meters),
               tuple(row[node] for row in problem.seconds))
        if key not in depots:
            location = model.add_location(0, 0)
            depots[key] = model.add_depot(location)
            places.append((location, node))
        depot_of_node[node] = depots[key]
    total = max(1, sum(s.demand for s in problem.stops))
    groups: dict[tuple, list[int]] = {}
    for v, nurse in enumerate(problem.nurses):
        key = (id(depot_of_node[problem.starts[v]]), id(depot_of_node[problem.ends[v]]),
               nurse.shift_start, nurse.shift_end, nurse.capacity)
        groups.setdefault(key, []).append(v)
    members_of_type: list[list[int]] = []
    for members in groups.values():
        nurse = problem.nurses[members[0]]
        model.add_vehicle_type(
            num_available=len(members),
            capacity=[nurse.capacity if nurse.capacity is not None else total],
            start_depot=depot_of_node[problem.starts[members[0]]],
            end_depot=depot_of_node[problem.ends[members[0]]],
            tw_early=nurse.shift_start * MINUTE, tw_late=nurse.shift_end * MINUTE,
        )
        members_of_type.append(members)
    for i, stop in enumerate(problem.stops):
        location = model.add_location(0, 0)
        places.append((location, i))
        if stop.locked_time is not None:
            early = late = stop.locked_time * MINUTE
        else:
            early, late = stop.window_start * MINUTE, stop.window_end * MINUTE
        model.add_client(
            location, delivery=[stop.demand], service_duration=stop.duration * MINUTE,
            tw_early=early, tw_late=late,
        )
    for frm, a in places:
        for to, b in places:
            if frm is not to:
                model.add_edge(frm, to, problem.meters[a][b], problem.seconds[a][b])
    remaining = max(0.05, deadline - time.monotonic())
    stop = MaxRuntime(remaining)
    if options.budget:
        stop = MultipleCriteria([MaxIterations(options.budget), stop])
    result = model.solve(stop=stop, seed=options.seed, display=False)
    if not result.is_feasible():
        return None
    orders: dict[Hashable, list[Hashable]] = {nurse.id: [] for nurse in problem.nurses}
    free = [list(members) for members in members_of_type]
    for route in result.best.routes():
        v = free[route.vehicle_type()].pop(0)
        orders[problem.nurses[v].id] = [
            problem.stops[activity.idx].id for activity in route if activity.is_client()
        ]
    return orders
