"""The Solomon VRPTW benchmark: the reader (25/50 = depot + first customers),
the best known values, the feasibility check that does not trust the solver,
and the tournées' routing module solving an instance."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from cabinet.routing.solomon import (
    Customer,
    Instance,
    arc_tenths,
    check_routes,
    read_best_known,
    read_instance,
)

DATA = Path(__file__).resolve().parents[3] / "bench" / "data" / "solomon"
NAMES = ["C101", "C201", "R101", "R201", "RC101", "RC201"]


def test_reader_reads_fleet_depot_and_every_customer():
    c101 = read_instance(DATA / "C101.txt")
    assert (c101.name, c101.vehicles, c101.capacity, c101.size) == ("C101", 25, 200, 100)
    assert c101.depot == Customer(0, 40, 50, 0, 0, 1236, 0)
    assert c101.customers[0] == Customer(1, 45, 68, 10, 912, 967, 90)
    assert [c.number for c in c101.customers] == list(range(1, 101))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", [25, 50])
def test_small_versions_are_the_depot_and_the_first_customers(name, size):
    full = read_instance(DATA / f"{name}.txt")
    small = read_instance(DATA / f"{name}.txt", customers=size)
    assert small.depot == full.depot
    assert small.customers == full.customers[:size]
    assert (small.vehicles, small.capacity) == (full.vehicles, full.capacity)


def test_reader_refuses_a_size_the_file_does_not_have(tmp_path):
    with pytest.raises(ValueError, match="100 customers"):
        read_instance(DATA / "R101.txt", customers=101)
    bad = tmp_path / "bad.txt"
    bad.write_text("X\n\nCUSTOMER\n 1 2 3 4 5 6 7\n", encoding="ascii")
    with pytest.raises(ValueError, match="not a Solomon instance"):
        read_instance(bad)


def test_best_known_uses_the_distance_only_convention():
    best = read_best_known(DATA / "best_known.csv")
    assert len(best) == 18
    assert best[("C101", 25)].distance == 191.3 and best[("C101", 25)].vehicles == 3
    # The hierarchical row (828.94, unrounded) is not the one read.
    assert best[("C101", 100)].distance == 827.3
    assert best[("RC201", 100)].distance == 1261.8


def test_arcs_are_truncated_to_one_decimal():
    a, b = Customer(0, 40, 50, 0, 0, 0, 0), Customer(5, 42, 65, 0, 0, 0, 0)
    assert arc_tenths(a, b) == 151  # √229 = 15.13…
    assert arc_tenths(a, Customer(1, 43, 54, 0, 0, 0, 0)) == 50  # exactly 5


def test_one_route_per_customer_is_feasible_and_its_distance_recomputed():
    instance = read_instance(DATA / "C101.txt", customers=25)
    routes = [[c.number] for c in instance.customers]
    check = check_routes(instance, routes)
    assert check.feasible, check.errors
    expected = sum(
        2 * math.floor(10 * math.hypot(c.x - instance.depot.x, c.y - instance.depot.y))
        for c in instance.customers
    )
    assert check.distance_tenths == expected


def test_check_catches_a_late_visit():
    instance = read_instance(DATA / "C101.txt", customers=25)
    # Customer 1 opens at 912 and is served 90: customer 5 (due 67) after it is late.
    routes = [[1, 5]] + [[c.number] for c in instance.customers if c.number not in (1, 5)]
    check = check_routes(instance, routes)
    assert not check.feasible
    assert len(check.errors) == 1
    assert "customer 5 served at" in check.errors[0] and "due date 67" in check.errors[0]


def test_check_catches_an_overloaded_route():
    depot = Customer(0, 0, 0, 0, 0, 1000, 0)
    instance = Instance("T", 2, 15, depot, (
        Customer(1, 3, 4, 10, 0, 1000, 1), Customer(2, 6, 8, 10, 0, 1000, 1)))
    assert check_routes(instance, [[1], [2]]).feasible
    check = check_routes(instance, [[1, 2]])
    assert check.errors == ["route 1: load 20 over the capacity 15"]
    assert check.distance == 5 + 5 + 10


def test_check_catches_a_late_return_missing_and_repeated_customers_and_a_large_fleet():
    depot = Customer(0, 0, 0, 0, 0, 12, 0)
    instance = Instance("T", 1, 100, depot, (
        Customer(1, 3, 4, 1, 0, 100, 5), Customer(2, 0, 1, 1, 0, 100, 0)))
    errors = check_routes(instance, [[1, 1]]).errors
    assert any("visited twice" in e for e in errors)
    assert any("back at the depot" in e for e in errors)
    assert any("never visited: [2]" in e for e in errors)
    assert any("2 routes for a fleet of 1" in e for e in check_routes(instance, [[1], [2]]).errors)


@pytest.mark.parametrize("solver", ["ortools", "pyvrp"])
def test_the_routing_module_solves_an_instance_the_check_accepts(solver):
    from bench.solomon import solve

    instance = read_instance(DATA / "C101.txt", customers=25)
    routes, solution = solve(instance, solver, seconds=1.0)
    assert solution.solver == solver
    check = check_routes(instance, routes)
    assert check.feasible, check.errors
    best = read_best_known(DATA / "best_known.csv")[("C101", 25)]
    assert check.distance >= best.distance  # labelled optimal
    # The module's own distance (tenths as "metres") agrees with the check.
    assert solution.meters == check.distance_tenths
