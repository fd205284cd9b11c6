"""Geocoding patient addresses, behind a small pluggable interface (S-PRIV-1).

`settings.GEOCODER` chooses the implementation:

- "offline" (default, tests and demo): never sends an address anywhere. It
  knows the streets of the demo town (Tours) and places a house number at a
  deterministic offset along its street; any other address fails.
- "ban": the Base Adresse Nationale through geopy's `BANFrance`, for a
  deployment that configures it explicitly.

A failed look-up is not an error: the patient is saved and flagged
"adresse non localisée".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .search import fold

logger = logging.getLogger(__name__)

SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class GeocodeResult:
    latitude: Decimal
    longitude: Decimal
    label: str


class Geocoder(Protocol):
    def geocode(self, *, address: str, postcode: str, city: str) -> GeocodeResult | None: ...


def _q(value: float) -> Decimal:
    return Decimal(str(value)).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


# Streets of Tours (37000 / 37100 / 37200): a point near number 1 and the
# direction house numbers grow in (degrees per number). Plausible, not surveyed.
TOURS_STREETS: dict[str, tuple[float, float, float, float]] = {
    "rue nationale": (47.3975, 0.6862, -0.000030, -0.000008),
    "rue colbert": (47.3957, 0.6868, -0.000002, 0.000040),
    "rue de la scellerie": (47.3937, 0.6868, -0.000003, 0.000035),
    "rue du commerce": (47.3952, 0.6830, 0.000002, 0.000030),
    "rue du grand marche": (47.3948, 0.6805, 0.000020, 0.000010),
    "place plumereau": (47.3950, 0.6822, 0.000004, 0.000004),
    "rue des halles": (47.3927, 0.6830, 0.000001, -0.000035),
    "rue bretonneau": (47.3962, 0.6782, 0.000030, 0.000004),
    "rue marceau": (47.3937, 0.6858, -0.000030, 0.000002),
    "rue de bordeaux": (47.3905, 0.6880, 0.000000, 0.000035),
    "rue bernard palissy": (47.3935, 0.6925, -0.000030, 0.000005),
    "rue lavoisier": (47.3965, 0.6925, -0.000010, 0.000020),
    "boulevard beranger": (47.3903, 0.6835, 0.000002, -0.000040),
    "boulevard heurteloup": (47.3897, 0.6900, -0.000002, 0.000040),
    "boulevard preuilly": (47.3905, 0.6735, 0.000010, -0.000035),
    "boulevard tonnelle": (47.3930, 0.6680, -0.000040, -0.000005),
    "rue victor hugo": (47.3890, 0.6830, -0.000004, -0.000035),
    "rue giraudeau": (47.3900, 0.6740, -0.000035, -0.000004),
    "rue michelet": (47.3878, 0.6865, -0.000004, 0.000030),
    "rue roger salengro": (47.3885, 0.6890, -0.000030, 0.000004),
    "rue george sand": (47.3887, 0.6845, -0.000025, 0.000004),
    "rue edouard vaillant": (47.3885, 0.6950, -0.000030, 0.000008),
    "rue de la fuye": (47.3905, 0.6985, -0.000005, 0.000040),
    "avenue de grammont": (47.3885, 0.6900, -0.000045, -0.000004),
    "rue febvotte": (47.3835, 0.6905, -0.000040, 0.000005),
    "rue courteline": (47.3910, 0.6705, -0.000030, -0.000010),
    "rue de jerusalem": (47.3880, 0.6790, -0.000030, 0.000004),
    "quai paul bert": (47.4010, 0.6840, 0.000001, 0.000040),
    "avenue de la tranchee": (47.4020, 0.6850, 0.000040, 0.000002),
    "rue groison": (47.4100, 0.6880, 0.000040, 0.000015),
    "avenue maginot": (47.4060, 0.6905, 0.000030, 0.000004),
    "avenue andre malraux": (47.3985, 0.6815, 0.000000, 0.000040),
}
TOURS_POSTCODES = frozenset({"37000", "37100", "37200"})

_NUMBER_RE = re.compile(r"^\s*(\d{1,4})\s*(bis|ter|quater|[a-d])?\b[\s,]*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-']+")


def split_address(address: str) -> tuple[int | None, str]:
    """"12 bis rue Nationale" → (12, "rue nationale")."""
    match = _NUMBER_RE.match(address or "")
    number = int(match.group(1)) if match else None
    street = address[match.end():] if match else address
    street = _SEPARATORS.sub(" ", fold(street).replace(".", " ")).strip()
    street = re.sub(r"^(bd|boul)\b", "boulevard", street)
    street = re.sub(r"^av\b", "avenue", street)
    return number, street


class OfflineGeocoder:
    """Deterministic and local: the same address always gives the same point."""

    def geocode(self, *, address: str, postcode: str, city: str) -> GeocodeResult | None:
        if (postcode or "").strip() not in TOURS_POSTCODES or fold(city).strip() != "tours":
            return None
        number, street = split_address(address)
        base = TOURS_STREETS.get(street)
        if base is None:
            return None
        lat, lon, dlat, dlon = base
        n = (number or 1) - 1
        # Even numbers on one side of the street, odd on the other (~15 m apart).
        side = 0.00007 if (number or 1) % 2 == 0 else 0.0
        lat += n * dlat + side * (1 if dlon else 0)
        lon += n * dlon + side * (1 if dlat else 0)
        return GeocodeResult(_q(lat), _q(lon), f"{address}, {postcode} {city}")


class BanGeocoder:
    """Base Adresse Nationale (api-adresse.data.gouv.fr) through geopy.
    Only used when the deployment sets GEOCODER=ban (S-PRIV-1)."""

    def __init__(self, timeout: int = 5):
        from geopy.geocoders import BANFrance

        self._client = BANFrance(user_agent="cabinet-idel", timeout=timeout)

    def geocode(self, *, address: str, postcode: str, city: str) -> GeocodeResult | None:
        from geopy.exc import GeopyError

        query = f"{address} {postcode} {city}".strip()
        try:
            location = self._client.geocode(query, exactly_one=True)
        except GeopyError:
            logger.warning("geocoding: the address service did not answer")
            return None
        if location is None:
            return None
        return GeocodeResult(_q(location.latitude), _q(location.longitude), location.address)


def get_geocoder() -> Geocoder:
    name = (settings.GEOCODER or "offline").lower()
    if name == "offline":
        return OfflineGeocoder()
    if name == "ban":
        return BanGeocoder()
    raise ImproperlyConfigured(f"GEOCODER inconnu : {settings.GEOCODER!r} (offline ou ban)")
