"""Tournée optimisation: pure Python and OR-Tools, no ORM (see `solver`)."""

from .distance import (
    DistanceSource,
    OsrmSource,
    StraightLineSource,
    TravelMatrix,
    build_source,
    haversine_m,
)
from .model import Break, Lateness, Nurse, Options, Route, ScheduledStop, Solution, Stop
from .solver import Problem, dispatch, optimise

__all__ = [
    "Break",
    "DistanceSource",
    "Lateness",
    "Nurse",
    "Options",
    "OsrmSource",
    "Problem",
    "Route",
    "ScheduledStop",
    "Solution",
    "StraightLineSource",
    "Stop",
    "TravelMatrix",
    "build_source",
    "dispatch",
    "haversine_m",
    "optimise",
]
