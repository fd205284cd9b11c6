"""Ordering and dispatching visits with OR-Tools (vehicle routing with time
windows), plus the baselines and the schedule of any given order.

`Problem(nurses, stops, source)` computes the travel matrix once; then
`solve()` optimises, `evaluate(orders)` schedules given orders (the care-plan
order, a nurse's manual change) and `nearest_neighbour()` gives the baseline.
All three return a `Solution` with the same metrics, so they compare.

The solver never fails: hard windows are first kept as hard constraints; if
they cannot all be met, they become soft with a very large cost and the
visits that end up late are reported with their delay; if OR-Tools finds
nothing at all in the time allowed, the nearest-neighbour order is returned.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from . import pyvrp_solver
from .distance import DistanceSource, StraightLineSource, TravelMatrix
from .model import (
    DEFAULT_LATENESS_COST,
    Lateness,
    Nurse,
    Options,
    Route,
    ScheduledStop,
    Solution,
    Stop,
)

MINUTE = 60
SINGLE = Options(time_limit_s=1.0)
DAY_DISPATCH = Options(time_limit_s=5.0)
HORIZON = 48 * 3600  # seconds; lets a relaxed plan run past midnight rather than fail


def _per_second(cost_per_minute: int) -> int:
    """A cost per minute as a cost per second (at least 1 unless it is 0)."""
    if cost_per_minute <= 0:
        return 0
    return max(1, round(cost_per_minute / MINUTE))


class Problem:
    def __init__(
        self, nurses: Sequence[Nurse], stops: Sequence[Stop],
        source: DistanceSource | None = None, *, matrix: TravelMatrix | None = None,
    ):
        if not nurses:
            raise ValueError("at least one nurse is needed")
        ids = [s.id for s in stops]
        if len(set(ids)) != len(ids):
            raise ValueError("stop ids must be unique")
        self.nurses = list(nurses)
        self.nurse_index = {n.id: k for k, n in enumerate(self.nurses)}
        self.stop_index = {s.id: i for i, s in enumerate(stops)}
        self.unassigned: list[tuple[Hashable, str]] = []
        kept = []
        for stop in stops:
            reason = self._unassignable(stop)
            if reason:
                self.unassigned.append((stop.id, reason))
            else:
                kept.append(stop)
        self.stops = kept
        self.stop_index = {s.id: i for i, s in enumerate(self.stops)}
        n, k = len(self.stops), len(self.nurses)
        self.n = n
        self.starts = [n + v for v in range(k)]
        self.ends = [n + k + v for v in range(k)]
        if matrix is None:
            points = (
                [s.point for s in self.stops]
                + [x.start_point for x in self.nurses]
                + [x.end_point for x in self.nurses]
            )
            matrix = (source or StraightLineSource()).matrix(points)
        self.matrix = matrix
        # Long enough for a relaxed plan to run past midnight, and for any shift.
        self.horizon = max(HORIZON, 2 * MINUTE * max(n.shift_end for n in self.nurses))
        self.meters = matrix.meters
        self.seconds = matrix.seconds
        # Precedences inside the problem: (before index, after index).
        self.precedences = [
            (self.stop_index[s.after], i)
            for i, s in enumerate(self.stops)
            if s.after is not None and s.after in self.stop_index and s.after != s.id
        ]

    # -- who may take what -------------------------------------------------

    def _unassignable(self, stop: Stop) -> str:
        if stop.nurse is not None:
            if stop.nurse not in self.nurse_index:
                return "son infirmier(ère) n'est pas de tournée ce jour"
            return ""
        if stop.skill and not any(stop.skill in n.skills for n in self.nurses):
            return f"aucun(e) infirmier(ère) de tournée n'a la compétence « {stop.skill} »"
        return ""

    def allowed_vehicles(self, stop: Stop) -> list[int]:
        if stop.nurse is not None:
            return [self.nurse_index[stop.nurse]]
        if len(self.nurses) == 1:
            return [0]
        return [v for v, n in enumerate(self.nurses) if not stop.skill or stop.skill in n.skills]

    # -- schedules and costs ------------------------------------------------

    def evaluate(
        self, orders: Mapping[Hashable, Sequence[Hashable]], options: Options = SINGLE,
        status: str = "evaluated",
    ) -> Solution:
        """Schedule the given orders (nurse id -> stop ids) as early as the
        windows allow, and compute distances, lateness and cost."""
        routes_idx = {
            self.nurse_index[nid]: [self.stop_index[sid] for sid in order if sid in self.stop_index]
            for nid, order in orders.items()
        }
        for v in range(len(self.nurses)):
            routes_idx.setdefault(v, [])
        # Precedences across routes: repeat until the lower bounds settle.
        lower = [0] * self.n
        for _ in range(len(self.precedences) + 1):
            starts, routes = self._simulate(routes_idx, lower)
            changed = False
            for a, b in self.precedences:
                need = starts[a] + self.stops[a].duration * MINUTE
                if need > starts[b] and need > lower[b]:
                    lower[b] = need
                    changed = True
            if not changed:
                break
        return self._solution(routes, options, status)

    def _simulate(self, routes_idx: dict[int, list[int]], lower: list[int]):
        starts = [0] * self.n
        routes: dict[int, Route] = {}
        for v, order in routes_idx.items():
            nurse = self.nurses[v]
            t = nurse.shift_start * MINUTE
            prev = self.starts[v]
            route = Route(nurse_id=nurse.id, departure=nurse.shift_start)
            work = 0
            pending = sorted(nurse.breaks, key=lambda b: (b.earliest, b.latest))
            for pos, i in enumerate(order):
                stop = self.stops[i]
                travel = self.seconds[prev][i]
                arrival = t + travel
                if stop.locked_time is not None:
                    earliest = max(stop.locked_time * MINUTE, lower[i])
                else:
                    earliest = max(stop.window_start * MINUTE, lower[i])
                start = max(arrival, earliest)
                if pos == 0:
                    # A break that fits before she leaves is taken at home.
                    while pending and (pending[0].earliest + pending[0].duration) * MINUTE \
                            <= start - travel:
                        pending.pop(0)
                # A break whose window opens before this visit would start is
                # taken first, between the previous visit and this one.
                while pos > 0 and pending and start > pending[0].earliest * MINUTE:
                    pause = pending.pop(0)
                    at = max(t, pause.earliest * MINUTE)
                    route.breaks.append((at // MINUTE, (at + pause.duration * MINUTE) // MINUTE))
                    route.break_late_seconds += max(0, at - pause.latest * MINUTE)
                    t = at + pause.duration * MINUTE
                    arrival = t + travel
                    start = max(arrival, earliest)
                if pos == 0 and start > arrival:
                    # Leave later rather than wait at the first patient's door.
                    route.departure = math.floor((start - travel) / MINUTE)
                    arrival = start
                starts[i] = start
                late = self._late_seconds(stop, start)
                route.stops.append(ScheduledStop(
                    stop_id=stop.id, arrival=arrival // MINUTE, start=start // MINUTE,
                    end=(start + stop.duration * MINUTE) // MINUTE,
                    wait=(start - arrival) // MINUTE,
                    late_minutes=math.ceil(late[1] / MINUTE) if late else 0,
                    meters_from_previous=self.meters[prev][i],
                    minutes_from_previous=round(travel / MINUTE),
                ))
                route.meters += self.meters[prev][i]
                route.drive_seconds += travel
                work += travel + stop.duration * MINUTE
                t = start + stop.duration * MINUTE
                prev = i
            if order:
                back = self.seconds[prev][self.ends[v]]
                route.meters += self.meters[prev][self.ends[v]]
                route.drive_seconds += back
                work += back
                route.return_time = math.ceil((t + back) / MINUTE)
            else:
                route.return_time = route.departure
            route.work_minutes = round(work / MINUTE)
            routes[v] = route
        return starts, routes

    def _late_seconds(self, stop: Stop, start: int) -> tuple[str, int] | None:
        """(kind, seconds) past the time a visit must start by, if any."""
        if stop.locked_time is not None and start > stop.locked_time * MINUTE:
            return ("locked", start - stop.locked_time * MINUTE)
        if start > stop.window_end * MINUTE:
            return ("window" if stop.hard else "soft", start - stop.window_end * MINUTE)
        return None

    def _solution(self, routes: dict[int, Route], options: Options, status: str) -> Solution:
        big = _per_second(options.hard_lateness_cost)
        cost = 0
        late: list[Lateness] = []
        overtime = {}
        overload = {}
        work_max = 0
        by_id = {s.id: s for s in self.stops}
        for v, route in routes.items():
            nurse = self.nurses[v]
            cost += route.meters
            for item in route.stops:
                stop = by_id[item.stop_id]
                start = item.start * MINUTE
                lateness = self._late_seconds(stop, start)
                if lateness and lateness[1] >= MINUTE:
                    late.append(Lateness(stop.id, math.ceil(lateness[1] / MINUTE), lateness[0]))
                if stop.locked_time is not None or stop.hard:
                    bound = stop.locked_time if stop.locked_time is not None else stop.window_end
                    cost += big * max(0, start - bound * MINUTE)
                else:
                    cost += _per_second(stop.lateness_cost) * max(0, start - stop.soft_target * MINUTE)
                if (
                    len(self.nurses) > 1 and stop.preferred_nurse is not None
                    and stop.nurse is None and stop.preferred_nurse != nurse.id
                ):
                    cost += options.other_nurse_cost
            cost += big * route.break_late_seconds
            if route.return_time > nurse.shift_end:
                overtime[nurse.id] = route.return_time - nurse.shift_end
                cost += big * overtime[nurse.id] * MINUTE
            work_max = max(work_max, route.work_minutes)
        if len(self.nurses) > 1:
            cost += _per_second(options.balance_cost) * work_max * MINUTE
        for v, route in routes.items():
            capacity = self.nurses[v].capacity
            load = sum(by_id[item.stop_id].demand for item in route.stops)
            if capacity is not None and load > capacity:
                overload[self.nurses[v].id] = load - capacity
                cost += big * MINUTE * (load - capacity)
        late.sort(key=lambda x: (-x.minutes, str(x.stop_id)))
        return Solution(
            routes={self.nurses[v].id: r for v, r in sorted(routes.items())},
            late=late, unassigned=list(self.unassigned), status=status, cost=cost,
            overtime=overtime, overload=overload,
        )

    # -- baselines -----------------------------------------------------------

    def nearest_neighbour(self) -> Solution:
        """Each nurse in turn goes to the nearest visit she may take next
        (after its predecessor), until none is left."""
        remaining = set(range(self.n))
        before = {b: a for a, b in self.precedences}
        orders: dict[Hashable, list[Hashable]] = {n.id: [] for n in self.nurses}
        position = {v: self.starts[v] for v in range(len(self.nurses))}
        done: set[int] = set()
        while remaining:
            best = None
            for v in range(len(self.nurses)):
                for i in remaining:
                    if v not in self.allowed_vehicles(self.stops[i]):
                        continue
                    if before.get(i) in remaining:
                        continue
                    d = self.meters[position[v]][i]
                    key = (d, v, i)
                    if best is None or key < best:
                        best = key
            if best is None:  # only a cycle of precedences left: take the nearest anyway
                i = min(remaining)
                v = self.allowed_vehicles(self.stops[i])[0]
            else:
                _, v, i = best
            orders[self.nurses[v].id].append(self.stops[i].id)
            position[v] = i
            remaining.discard(i)
            done.add(i)
        return self.evaluate(orders, status="nearest_neighbour")

    def time_order(self) -> Solution:
        """The care-plan order: each visit with its assigned nurse, else the
        patient's own nurse, else the least busy nurse allowed; each nurse's
        visits by time (locked, preferred, then window start)."""
        return self.evaluate(self._time_orders(), status="time_order")

    def _time_orders(self) -> dict[Hashable, list[Hashable]]:
        orders: dict[Hashable, list[Hashable]] = {n.id: [] for n in self.nurses}
        load = {n.id: 0 for n in self.nurses}
        ranked = sorted(
            self.stops,
            key=lambda s: (
                s.locked_time if s.locked_time is not None else
                s.preferred_time if s.preferred_time is not None else s.window_start,
                s.window_end, str(s.id),
            ),
        )
        placed: dict[Hashable, Hashable] = {}
        for stop in ranked:
            allowed = [self.nurses[v].id for v in self.allowed_vehicles(stop)]
            if stop.after in placed and placed[stop.after] in allowed:
                nurse_id = placed[stop.after]
            elif stop.preferred_nurse in allowed:
                nurse_id = stop.preferred_nurse
            else:
                nurse_id = min(allowed, key=lambda n: (load[n], allowed.index(n)))
            orders[nurse_id].append(stop.id)
            load[nurse_id] += stop.duration
            placed[stop.id] = nurse_id
        # Precedences inside a route: a visit after its predecessor.
        for order in orders.values():
            position = {sid: i for i, sid in enumerate(order)}
            for a, b in self.precedences:
                ida, idb = self.stops[a].id, self.stops[b].id
                if ida in position and idb in position and position[ida] > position[idb]:
                    order.remove(idb)
                    order.insert(order.index(ida) + 1, idb)
                    position = {sid: i for i, sid in enumerate(order)}
        return orders

    # -- OR-Tools ------------------------------------------------------------

    def solve(
        self, options: Options = SINGLE,
        initial: Mapping[Hashable, Sequence[Hashable]] | None = None,
        *, metaheuristic: bool = True,
    ) -> Solution:
        """Optimise. `initial` (nurse id -> stop ids, e.g. the current order)
        is the starting point and is kept unless something strictly cheaper is
        found, so re-optimising an optimised tournée changes nothing."""
        began = time.monotonic()
        candidates: list[Solution] = []
        if initial is not None:
            current = self.evaluate(self._complete(initial), options, status="kept")
            candidates.append(current)
        if self.n == 0:
            result = self.evaluate({n.id: [] for n in self.nurses}, options, status="optimised")
            result.solve_seconds = time.monotonic() - began
            return result
        deadline = began + options.time_limit_s
        # Start the search from the best of the given order and the care-plan
        # order, so the result is never worse than either.
        start = self.evaluate(self._time_orders(), options, status="time_order")
        candidates.append(start)
        if initial is None or start.cost < candidates[0].cost:
            initial = {nid: r.order for nid, r in start.routes.items()}
        # Hard windows, locked times and shift ends are modelled as soft bounds
        # with a cost that dwarfs any distance: a first solution always exists
        # (greedy heuristics often find none under tight hard windows), and a
        # plan that still breaks one is infeasible and reported as such.
        best_start = min(candidates, key=lambda s: s.cost)
        if options.solver in ("pyvrp", "auto") and not pyvrp_solver.unsupported(self, options):
            orders = pyvrp_solver.solve(self, options, deadline=deadline)
            return self._best(candidates, orders, began, solver="pyvrp", options=options)
        if best_start.hard_late or best_start.overtime:
            # Hard bounds already broken at the start: search first with a
            # milder cost for breaking them (the landscape is smoother), then
            # from there with the real cost.
            mild = replace(options, hard_lateness_cost=max(
                options.hard_lateness_cost // 50, DEFAULT_LATENESS_COST * 2),
                budget=options.budget // 2 if options.budget else None)
            halfway = time.monotonic() + (deadline - time.monotonic()) / 2
            first = self._run(mild, initial, deadline=halfway, metaheuristic=metaheuristic)
            if first is not None:
                candidates.append(self.evaluate(first, options, status="optimised"))
                initial = first
        orders = self._run(options, initial, deadline=deadline, metaheuristic=metaheuristic)
        return self._best(candidates, orders, began, solver="ortools", options=options)

    def _best(self, candidates: list[Solution], orders, began: float, *, solver: str,
              options: Options = SINGLE) -> Solution:
        """The cheapest of the starting orders and the solver's answer."""
        if orders is None:
            fallback = self.nearest_neighbour()
            fallback.status = "fallback"
            candidates.append(fallback)
        else:
            candidates.append(self.evaluate(orders, options, status="optimised"))
        # The given order wins ties: idempotent re-optimisation.
        best = min(candidates, key=lambda s: s.cost)
        if best.status == "time_order":
            best.status = "optimised"
        if best.hard_late or best.overtime or best.overload:
            best.status = "relaxed"
        best.solve_seconds = time.monotonic() - began
        best.solver = solver
        return best

    def _complete(self, initial: Mapping[Hashable, Sequence[Hashable]]) -> dict:
        """The initial orders restricted to known stops, with the missing
        stops appended to a nurse allowed to take them."""
        orders = {n.id: [] for n in self.nurses}
        seen = set()
        for nid, order in initial.items():
            if nid not in orders:
                continue
            for sid in order:
                i = self.stop_index.get(sid)
                if i is None or sid in seen:
                    continue
                if self.nurse_index[nid] not in self.allowed_vehicles(self.stops[i]):
                    continue
                orders[nid].append(sid)
                seen.add(sid)
        for stop in self.stops:
            if stop.id not in seen:
                v = self.allowed_vehicles(stop)[0]
                orders[self.nurses[v].id].append(stop.id)
        return orders

    def _run(self, options, initial, *, deadline: float, metaheuristic: bool):
        k = len(self.nurses)
        manager = pywrapcp.RoutingIndexManager(self.n + 2 * k, k, self.starts, self.ends)
        routing = pywrapcp.RoutingModel(manager)
        big = _per_second(options.hard_lateness_cost)

        # Arc costs: metres; a visit given to another nurse than the patient's own costs more.
        base = routing.RegisterTransitMatrix(self.meters)
        if k > 1 and any(s.preferred_nurse is not None and s.nurse is None for s in self.stops):
            for v, nurse in enumerate(self.nurses):
                extra = [
                    options.other_nurse_cost
                    if j < self.n and self.stops[j].nurse is None
                    and self.stops[j].preferred_nurse is not None
                    and self.stops[j].preferred_nurse != nurse.id else 0
                    for j in range(self.n + 2 * k)
                ]
                rows = [[m + extra[j] for j, m in enumerate(row)] for row in self.meters]
                routing.SetArcCostEvaluatorOfVehicle(routing.RegisterTransitMatrix(rows), v)
        else:
            routing.SetArcCostEvaluatorOfAllVehicles(base)

        service = [s.duration * MINUTE for s in self.stops] + [0] * (2 * k)
        time_rows = [[service[i] + t for t in row] for i, row in enumerate(self.seconds)]
        transit = routing.RegisterTransitMatrix(time_rows)
        routing.AddDimension(transit, self.horizon, self.horizon, False, "time")
        time_dim = routing.GetDimensionOrDie("time")
        for i, stop in enumerate(self.stops):
            index = manager.NodeToIndex(i)
            cumul = time_dim.CumulVar(index)
            ws = stop.window_start * MINUTE
            if stop.locked_time is not None:
                at = stop.locked_time * MINUTE
                cumul.SetMin(at)
                time_dim.SetCumulVarSoftUpperBound(index, at, big)
            elif stop.hard:
                cumul.SetMin(ws)
                time_dim.SetCumulVarSoftUpperBound(index, stop.window_end * MINUTE, big)
            else:
                cumul.SetMin(ws)
                time_dim.SetCumulVarSoftUpperBound(
                    index, stop.soft_target * MINUTE, _per_second(stop.lateness_cost)
                )
            allowed = self.allowed_vehicles(stop)
            if k > 1 and len(allowed) < k:
                routing.VehicleVar(index).SetValues(allowed)
        for v, nurse in enumerate(self.nurses):
            start = routing.Start(v)
            end = routing.End(v)
            time_dim.CumulVar(start).SetRange(nurse.shift_start * MINUTE, nurse.shift_end * MINUTE)
            time_dim.SetCumulVarSoftUpperBound(end, nurse.shift_end * MINUTE, big)
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(start))
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(end))

        # Breaks: an interval per break, placed between visits (never during
        # one: `service` is each visit's own time), or before or after the day.
        if any(nurse.breaks for nurse in self.nurses):
            solver = routing.solver()
            visit_time = [service[manager.IndexToNode(index)] for index in range(routing.Size())]
            for v, nurse in enumerate(self.nurses):
                if not nurse.breaks:
                    continue
                intervals = [
                    solver.FixedDurationIntervalVar(
                        pause.earliest * MINUTE, pause.latest * MINUTE, pause.duration * MINUTE,
                        False, f"break {v}.{k}")
                    for k, pause in enumerate(nurse.breaks)
                ]
                time_dim.SetBreakIntervalsOfVehicle(intervals, v, visit_time)

        # Capacity (the benchmark's vehicles; nurses carry no load).
        if any(nurse.capacity is not None for nurse in self.nurses):
            demand = [s.demand for s in self.stops] + [0] * (2 * k)
            load = routing.RegisterUnaryTransitVector(demand)
            routing.AddDimensionWithVehicleCapacity(
                load, 0, [n.capacity if n.capacity is not None else sum(demand)
                          for n in self.nurses], True, "load")

        # Balance: the busiest nurse's driving + care time is costed.
        if k > 1 and options.balance_cost > 0:
            routing.AddDimension(transit, 0, self.horizon, True, "work")
            work = routing.GetDimensionOrDie("work")
            work.SetGlobalSpanCostCoefficient(_per_second(options.balance_cost))

        # "After another visit": it starts once the other one is over, whoever
        # does it (a comparison of the two start times).
        solver = routing.solver()
        for a, b in self.precedences:
            ia, ib = manager.NodeToIndex(a), manager.NodeToIndex(b)
            solver.Add(
                time_dim.CumulVar(ia) + self.stops[a].duration * MINUTE <= time_dim.CumulVar(ib)
            )

        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = (
            routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
            if self.precedences or k > 1
            else routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        )
        if metaheuristic:
            params.local_search_metaheuristic = (
                routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
            )
        remaining = max(0.05, deadline - time.monotonic())
        params.time_limit.FromMilliseconds(int(remaining * 1000))
        if options.budget:
            # A deterministic limit: the search stops after `budget` checks
            # of its limits (about one per move tried), whatever the load.
            steps = [0]

            def spent() -> bool:
                steps[0] += 1
                return steps[0] > options.budget

            limit = routing.solver().CustomLimit(spent)
            routing.AddSearchMonitor(limit)

        assignment = None
        if initial is not None:
            orders = self._complete(initial)
            routes = [
                [manager.NodeToIndex(self.stop_index[sid]) for sid in orders[n.id]]
                for n in self.nurses
            ]
            start_from = routing.ReadAssignmentFromRoutes(routes, True)
            if start_from is not None:
                assignment = routing.SolveFromAssignmentWithParameters(start_from, params)
        if assignment is None:
            remaining = max(0.05, deadline - time.monotonic())
            params.time_limit.FromMilliseconds(int(remaining * 1000))
            assignment = routing.SolveWithParameters(params)
        if assignment is None:
            return None
        orders = {}
        for v, nurse in enumerate(self.nurses):
            index = routing.Start(v)
            order = []
            index = assignment.Value(routing.NextVar(index))
            while not routing.IsEnd(index):
                order.append(self.stops[manager.IndexToNode(index)].id)
                index = assignment.Value(routing.NextVar(index))
            orders[nurse.id] = order
        return orders


def optimise(
    nurse: Nurse, stops: Sequence[Stop], source: DistanceSource | None = None,
    options: Options = SINGLE, initial: Sequence[Hashable] | None = None,
) -> Solution:
    """Order one nurse's visits."""
    problem = Problem([nurse], [_assigned(s, nurse.id) for s in stops], source)
    return problem.solve(options, {nurse.id: list(initial)} if initial is not None else None)


def dispatch(
    nurses: Sequence[Nurse], stops: Sequence[Stop], source: DistanceSource | None = None,
    options: Options = DAY_DISPATCH,
    initial: Mapping[Hashable, Sequence[Hashable]] | None = None,
) -> Solution:
    """Share a cabinet day's visits among the nurses on duty and order each route."""
    return Problem(nurses, stops, source).solve(options, initial)


def _assigned(stop: Stop, nurse_id: Hashable) -> Stop:
    if stop.nurse == nurse_id:
        return stop
    return replace(stop, nurse=nurse_id)
