"""Travel distances and times between points.

Two sources, same interface (`matrix(points) -> TravelMatrix`):

- `StraightLineSource` (default, offline): great-circle distance × a road
  factor, driven at an average speed. Never sends a coordinate anywhere.
- `OsrmSource`: the table service of an OSRM road-routing server
  (`/table/v1/driving/...`). Used only when the deployment configures its URL
  (S-PRIV-1); if the server does not answer, the straight-line source is used
  and `TravelMatrix.source` says so.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_000
DEFAULT_ROAD_FACTOR = 1.3
DEFAULT_AVERAGE_SPEED_KMH = 30.0

Point = tuple[float, float]  # (latitude, longitude)


@dataclass(frozen=True)
class TravelMatrix:
    meters: list[list[int]]
    seconds: list[list[int]]
    source: str = "straight_line"


class DistanceSource(Protocol):
    def matrix(self, points: Sequence[Point]) -> TravelMatrix: ...


def haversine_m(a: Point, b: Point) -> float:
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2
    ) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class StraightLineSource:
    road_factor: float = DEFAULT_ROAD_FACTOR
    average_speed_kmh: float = DEFAULT_AVERAGE_SPEED_KMH

    def __post_init__(self):
        if self.road_factor < 1 or self.average_speed_kmh <= 0:
            raise ValueError("road factor must be ≥ 1 and the average speed positive")

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        n = len(points)
        meters = [[0] * n for _ in range(n)]
        seconds = [[0] * n for _ in range(n)]
        metres_per_second = self.average_speed_kmh / 3.6
        for i in range(n):
            for j in range(i + 1, n):
                d = haversine_m(points[i], points[j]) * self.road_factor
                m = round(d)
                s = round(d / metres_per_second)
                meters[i][j] = meters[j][i] = m
                seconds[i][j] = seconds[j][i] = s
        return TravelMatrix(meters, seconds, "straight_line")


@dataclass(frozen=True)
class OsrmSource:
    """OSRM's table service; `base_url` like "http://osrm.internal:5000"."""

    base_url: str
    timeout_s: float = 5.0
    profile: str = "driving"
    fallback: StraightLineSource = StraightLineSource()

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        if len(points) < 2:
            return self.fallback.matrix(points)
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        query = urllib.parse.urlencode({"annotations": "duration,distance"})
        url = f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?{query}"
        if not url.startswith(("http://", "https://")):
            raise ValueError("OSRM_URL must be an http(s) URL")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:  # noqa: S310  # nosec B310 - http(s) scheme checked above
                payload = json.loads(response.read().decode("utf-8"))
            if payload.get("code") != "Ok":
                raise ValueError(f"OSRM answered {payload.get('code')!r}")
            durations = payload["durations"]
            distances = payload["distances"]
            n = len(points)
            if len(durations) != n or len(distances) != n:
                raise ValueError("OSRM table of the wrong size")
        except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as exc:
            logger.warning("OSRM table failed (%s); straight-line distances used", exc)
            fallback = self.fallback.matrix(points)
            return TravelMatrix(fallback.meters, fallback.seconds, "straight_line_fallback")
        straight = None
        meters = [[0] * n for _ in range(n)]
        seconds = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                d, t = distances[i][j], durations[i][j]
                if d is None or t is None:  # unroutable pair: straight line instead
                    straight = straight or self.fallback.matrix(points)
                    d, t = straight.meters[i][j], straight.seconds[i][j]
                meters[i][j] = round(d)
                seconds[i][j] = round(t)
        return TravelMatrix(meters, seconds, "osrm")


def build_source(
    *, osrm_url: str = "", road_factor: float = DEFAULT_ROAD_FACTOR,
    average_speed_kmh: float = DEFAULT_AVERAGE_SPEED_KMH, timeout_s: float = 5.0,
) -> DistanceSource:
    straight = StraightLineSource(road_factor, average_speed_kmh)
    if osrm_url:
        return OsrmSource(osrm_url, timeout_s=timeout_s, fallback=straight)
    return straight
