"""French public holidays for the Sunday/holiday majoration (NGAP-14-7), from
the `holidays` package, cached per (year, Alsace-Moselle, subdivision)."""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

from . import rules

# The `holidays` subdivision whose calendar is the Alsace-Moselle one.
ALSACE_MOSELLE_SUBDIVISION = "57"
_WHIT_MONDAY = "Pentecost Monday"


@cache
def holiday_names(year: int, alsace_moselle: bool = False, subdivision: str | None = None) -> dict:
    subdiv = subdivision
    if alsace_moselle and rules.ALSACE_MOSELLE_DAYS and subdiv is None:
        subdiv = ALSACE_MOSELLE_SUBDIVISION
    calendar = holidays.France(years=year, subdiv=subdiv, language="en_US")
    days = {day: name for day, name in calendar.items()}
    if not rules.WHIT_MONDAY_IS_HOLIDAY:
        days = {d: n for d, n in days.items() if n != _WHIT_MONDAY}
    return days


def holiday_name(day: date, alsace_moselle: bool = False, subdivision: str | None = None):
    """The holiday's English name from `holidays`, or None on a working day."""
    return holiday_names(day.year, alsace_moselle, subdivision).get(day)


def is_uncertain_holiday(day: date, alsace_moselle: bool = False) -> bool:
    """Whit Monday and the Alsace-Moselle days: counted, but UNCERTAIN (NGAP-14-7)."""
    name = holiday_name(day, alsace_moselle)
    if name is None:
        return False
    return name == _WHIT_MONDAY or day not in holiday_names(day.year, False, None)
