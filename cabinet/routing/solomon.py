"""The Solomon VRPTW benchmark: reading an instance, its best known value,
and checking a solution independently of any solver.

Pure Python, imports nothing from the solver: the check recomputes every
distance and time from the instance file, so a solver bug cannot hide there.

Convention (`distance only` in `best_known.csv`): each arc is the Euclidean
distance truncated to one decimal, travel time equals that arc length, a
customer is served from its arrival or ready time (whichever is later) and
must start by its due date, every route returns to the depot by the depot's
due date, the number of routes is free up to the fleet size. To stay exact,
distances and times are integers in tenths of a unit (`TENTHS`).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

TENTHS = 10


@dataclass(frozen=True)
class Customer:
    number: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]

    @property
    def size(self) -> int:
        return len(self.customers)

    def nodes(self) -> list[Customer]:
        """Depot first, then the customers in file order."""
        return [self.depot, *self.customers]


def read_instance(path: str | Path, customers: int | None = None) -> Instance:
    """Read a Solomon file; `customers=25` or `50` keeps the depot and the
    first 25 / 50 customers (capacity, fleet and depot window unchanged)."""
    path = Path(path)
    lines = [line.split() for line in path.read_text(encoding="ascii").splitlines()]
    lines = [line for line in lines if line]
    name = lines[0][0]
    vehicles = capacity = None
    rows: list[Customer] = []
    for k, parts in enumerate(lines):
        if parts[0] == "NUMBER" and vehicles is None:
            vehicles, capacity = int(lines[k + 1][0]), int(lines[k + 1][1])
        elif len(parts) == 7 and all(p.lstrip("-").isdigit() for p in parts):
            rows.append(Customer(*(int(p) for p in parts)))
    if vehicles is None or not rows or rows[0].number != 0:
        raise ValueError(f"{path.name}: not a Solomon instance (fleet or depot missing)")
    depot, rest = rows[0], rows[1:]
    if [c.number for c in rest] != list(range(1, len(rest) + 1)):
        raise ValueError(f"{path.name}: customers must be numbered 1..n in order")
    if customers is not None:
        if not 0 < customers <= len(rest):
            raise ValueError(f"{path.name} has {len(rest)} customers, not {customers}")
        rest = rest[:customers]
    return Instance(name, vehicles, capacity, depot, tuple(rest))


def arc_tenths(a: Customer, b: Customer) -> int:
    """Euclidean distance truncated to one decimal, in tenths (exact: integer
    square root of 100 × the squared distance)."""
    squared = (a.x - b.x) ** 2 + (a.y - b.y) ** 2
    return math.isqrt(TENTHS * TENTHS * squared)


def distance_matrix(instance: Instance) -> list[list[int]]:
    nodes = instance.nodes()
    return [[arc_tenths(a, b) for b in nodes] for a in nodes]


@dataclass(frozen=True)
class BestKnown:
    instance: str
    customers: int
    vehicles: int
    distance: float
    optimal: bool
    source: str


def read_best_known(path: str | Path) -> dict[tuple[str, int], BestKnown]:
    """(instance, customers) -> best known value under the `distance only`
    convention (the file also holds the hierarchical one, left out here)."""
    best = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["objective"].startswith("distance only"):
                continue
            key = (row["instance"], int(row["customers"]))
            best[key] = BestKnown(
                instance=row["instance"], customers=int(row["customers"]),
                vehicles=int(row["vehicles"]), distance=float(row["distance"]),
                optimal=row["optimal"] == "yes", source=row["source"],
            )
    return best


@dataclass
class Check:
    """The outcome of checking routes against an instance."""

    distance_tenths: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.errors

    @property
    def distance(self) -> float:
        return self.distance_tenths / TENTHS


def check_routes(instance: Instance, routes: list[list[int]]) -> Check:
    """Check routes (lists of customer numbers, depot left out) against the
    instance: every customer exactly once, capacity, each service started by
    its due date, each return by the depot's due date, fleet size. Returns
    the distance (arcs truncated to one decimal) and every error found."""
    result = Check()
    by_number = {c.number: c for c in instance.customers}
    depot = instance.depot
    seen: dict[int, int] = {}
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        result.errors.append(f"{len(used)} routes for a fleet of {instance.vehicles}")
    for r, route in enumerate(used, start=1):
        load = 0
        time = depot.ready * TENTHS
        previous = depot
        for number in route:
            customer = by_number.get(number)
            if customer is None:
                result.errors.append(f"route {r}: unknown customer {number}")
                continue
            if number in seen:
                result.errors.append(
                    f"customer {number} visited twice (routes {seen[number]} and {r})")
            seen[number] = r
            load += customer.demand
            travel = arc_tenths(previous, customer)
            result.distance_tenths += travel
            start = max(time + travel, customer.ready * TENTHS)
            if start > customer.due * TENTHS:
                result.errors.append(
                    f"route {r}: customer {number} served at {start / TENTHS:g}, "
                    f"after its due date {customer.due}")
            time = start + customer.service * TENTHS
            previous = customer
        back = arc_tenths(previous, depot)
        result.distance_tenths += back
        if time + back > depot.due * TENTHS:
            result.errors.append(
                f"route {r}: back at the depot at {(time + back) / TENTHS:g}, "
                f"after its due date {depot.due}")
        if load > instance.capacity:
            result.errors.append(f"route {r}: load {load} over the capacity {instance.capacity}")
    missing = sorted(set(by_number) - set(seen))
    if missing:
        result.errors.append(f"customers never visited: {missing}")
    return result
