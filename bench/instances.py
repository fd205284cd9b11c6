"""Fixed benchmark days whose windows a good route can keep.

A day is built from a *reference route* per nurse: visits in a seeded random
order, each scheduled on arrival (rounded up to 5 minutes) from the previous
one, and its window set around that time (soft: preferred time = reference
time; hard: the window contains it). The reference routes keep every window,
so a good optimiser reports 0 late; their order is geographically arbitrary
(as a care plan written by time of day is), so there is distance to save.

Everything here is a pure function of the seed: no date, no database, and a
fixed travel model (straight line × 1.3 at 30 km/h, the defaults), so the
instances are the same on any machine, any day, whatever the settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cabinet.routing import Nurse, Stop, StraightLineSource

# The project's default travel model, fixed here so that an OSRM_URL or other
# settings never change the benchmark.
SOURCE = StraightLineSource(road_factor=1.3, average_speed_kmh=30.0)
MINUTE = 60


@dataclass(frozen=True)
class Spec:
    """One visit to place on a reference route."""

    id: str
    lat: float
    lon: float
    duration: int
    window: int  # ± minutes around the reference time
    hard: bool = False
    skill: str = ""
    after: str | None = None
    not_before: int = 0  # minutes: e.g. the evening insulin not before 18:00


def schedule(nurse: Nurse, specs: list[Spec], *, referent=None) -> list[Stop]:
    """Stops with windows around the times of the reference route `specs`
    (in order) driven by `nurse` from her start point at her shift start."""
    points = [nurse.start_point] + [(s.lat, s.lon) for s in specs]
    seconds = SOURCE.matrix(points).seconds
    t = nurse.shift_start * MINUTE
    previous = 0
    stops = []
    for k, spec in enumerate(specs, start=1):
        arrival = t + seconds[previous][k]
        at = max(math.ceil(arrival / (5 * MINUTE)) * 5, spec.not_before)
        stops.append(Stop(
            id=spec.id, lat=spec.lat, lon=spec.lon, duration=spec.duration,
            window_start=at - spec.window, window_end=at + spec.window, hard=spec.hard,
            preferred_time=at, skill=spec.skill, after=spec.after,
            preferred_nurse=referent,
        ))
        t = (at + spec.duration) * MINUTE
        previous = k
    back = t + seconds[previous][0]
    if back > nurse.shift_end * MINUTE:
        raise ValueError(f"reference route of {nurse.id} ends after the shift ({back // 60} min)")
    return stops
