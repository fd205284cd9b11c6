"""The data of a routing problem and of its answer (pure Python, no ORM).

Times are minutes since midnight of the tournée's date; distances are metres.
Costs are expressed in metres of driving: a lateness cost of 120 means one
minute late weighs as much as 120 m more on the road.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

DAY = 24 * 60

# One minute late at a soft window (past its preferred time) ~ 120 m of driving.
DEFAULT_LATENESS_COST = 120
# Breaking a hard window, a locked time or a shift end: dwarfs any distance.
HARD_LATENESS_COST = 60_000


@dataclass(frozen=True)
class Stop:
    """One visit to place in a route."""

    id: Hashable
    lat: float
    lon: float
    window_start: int = 0
    window_end: int = DAY
    duration: int = 15
    # Hard: the care must start inside the window (the lab closes at 11:00).
    # Soft: starting after `preferred_time` (or after the window end when there
    # is none) costs `lateness_cost` per minute (insulin "around 8:00").
    hard: bool = False
    preferred_time: int | None = None
    lateness_cost: int = DEFAULT_LATENESS_COST
    # A visit locked by the nurse starts exactly at this time.
    locked_time: int | None = None
    # A skill the nurse must have (dispatch only).
    skill: str = ""
    # Id of a visit this one must follow (same nurse, after its end).
    after: Hashable | None = None
    # The patient's usual nurse: dispatching elsewhere costs `other_nurse_cost`.
    preferred_nurse: Hashable | None = None
    # Already assigned to this nurse: dispatch leaves it with her.
    nurse: Hashable | None = None
    # Load taken by the visit, against `Nurse.capacity` (the Solomon benchmark;
    # a tournée carries no load).
    demand: int = 0

    @property
    def point(self) -> tuple[float, float]:
        return (self.lat, self.lon)

    @property
    def soft_target(self) -> int:
        """Start time past which a soft window costs lateness."""
        if self.preferred_time is not None:
            return max(self.window_start, min(self.preferred_time, self.window_end))
        return self.window_end


@dataclass(frozen=True)
class Break:
    """A pause the nurse takes between two visits (lunch): `duration`
    minutes, starting between `earliest` and `latest`. Never inside a visit;
    not needed once her last visit is over."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class Nurse:
    """One nurse on duty: where her day starts and ends, her hours, her skills."""

    id: Hashable
    lat: float
    lon: float
    end_lat: float | None = None
    end_lon: float | None = None
    shift_start: int = 7 * 60
    shift_end: int = 21 * 60
    skills: frozenset[str] = frozenset()
    # Largest total `Stop.demand` on her route (None: no limit).
    capacity: int | None = None
    breaks: tuple[Break, ...] = ()

    @property
    def start_point(self) -> tuple[float, float]:
        return (self.lat, self.lon)

    @property
    def end_point(self) -> tuple[float, float]:
        if self.end_lat is None or self.end_lon is None:
            return self.start_point
        return (self.end_lat, self.end_lon)


@dataclass(frozen=True)
class Options:
    time_limit_s: float = 1.0
    # Dispatch: cost per minute of the busiest nurse's working time (balance).
    balance_cost: int = 60
    # Dispatch: cost of giving a visit to a nurse other than the patient's own.
    other_nurse_cost: int = 1_500
    hard_lateness_cost: int = HARD_LATENESS_COST
    # "ortools": every constraint of a tournée (the tournées' solver).
    # "pyvrp" or "auto": PyVRP's hybrid genetic search when it can express
    # the problem (hard windows, capacities: the Solomon benchmark), OR-Tools
    # otherwise (see `pyvrp_solver` and the README, « Choix du solveur »).
    solver: str = "ortools"
    # Seed of the solver's randomness (PyVRP): the same seed, the same search.
    seed: int = 1
    # A deterministic amount of search: stop after this many search steps
    # (OR-Tools: checks of the search limit, about one per move tried;
    # PyVRP: iterations), or at `time_limit_s` if it comes first. The benchmarks use it so that their figures repeat run to run
    # on a shared machine; the tournées use the time limit alone.
    budget: int | None = None


@dataclass(frozen=True)
class Lateness:
    """A visit that starts after it should: which, by how much, and why."""

    stop_id: Hashable
    minutes: int
    # "window" (hard window), "soft" (past a soft window's end), "locked".
    kind: str


@dataclass
class ScheduledStop:
    stop_id: Hashable
    arrival: int
    start: int
    end: int
    wait: int
    late_minutes: int
    # Driving from the previous place (the start point for the first stop).
    meters_from_previous: int
    minutes_from_previous: int


@dataclass
class Route:
    nurse_id: Hashable
    stops: list[ScheduledStop] = field(default_factory=list)
    departure: int = 0
    return_time: int = 0
    meters: int = 0
    drive_seconds: int = 0
    # Minutes driving plus minutes of care.
    work_minutes: int = 0
    # (start, end) of each break taken, in minutes.
    breaks: list[tuple[int, int]] = field(default_factory=list)
    # Seconds past the latest start of her breaks, added up (costed as hard).
    break_late_seconds: int = 0

    @property
    def order(self) -> list[Hashable]:
        return [s.stop_id for s in self.stops]

    @property
    def km(self) -> float:
        return round(self.meters / 1000, 1)

    @property
    def drive_minutes(self) -> int:
        return round(self.drive_seconds / 60)


@dataclass
class Solution:
    routes: dict[Hashable, Route]
    late: list[Lateness] = field(default_factory=list)
    # (stop id, reason in French) for visits no nurse on duty can take.
    unassigned: list[tuple[Hashable, str]] = field(default_factory=list)
    # "optimised", "kept" (the given order was already as good), "relaxed"
    # (hard windows, locked times or shift ends could not all be met: see
    # `late` and `overtime`), "fallback" (the solver found nothing in time:
    # nearest-neighbour order), or the baseline's name.
    status: str = "optimised"
    solve_seconds: float = 0.0
    cost: int = 0
    # Nurse id past her shift end -> minutes of overtime.
    overtime: dict[Hashable, int] = field(default_factory=dict)
    # Nurse id -> load over her capacity (never with the solvers' answers).
    overload: dict[Hashable, int] = field(default_factory=dict)
    # Which solver searched ("ortools", "pyvrp"; empty for a baseline).
    solver: str = ""

    @property
    def meters(self) -> int:
        return sum(r.meters for r in self.routes.values())

    @property
    def km(self) -> float:
        return round(self.meters / 1000, 1)

    @property
    def drive_minutes(self) -> int:
        return round(sum(r.drive_seconds for r in self.routes.values()) / 60)

    def order(self, nurse_id: Hashable) -> list[Hashable]:
        return self.routes[nurse_id].order

    @property
    def hard_late(self) -> list[Lateness]:
        """Visits past a hard window or a locked time."""
        return [x for x in self.late if x.kind in ("window", "locked")]

    @property
    def late_by_id(self) -> dict[Hashable, Lateness]:
        return {item.stop_id: item for item in self.late}
