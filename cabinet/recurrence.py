"""Expanding a care plan's recurrence into dated slots. Plain Python: no ORM."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAILY = "daily"
EVERY_N_DAYS = "every_n_days"
WEEKDAYS = "weekdays"

MAX_VISITS_PER_PLAN = 500
MAX_TIMES_PER_DAY = 6
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAY_LABELS = {1: "lundi", 2: "mardi", 3: "mercredi", 4: "jeudi", 5: "vendredi",
                  6: "samedi", 7: "dimanche"}


class RecurrenceError(ValueError):
    """A care plan that cannot be expanded; the message is for the user."""


@dataclass(frozen=True, order=True)
class Occurrence:
    date: date
    slot: str  # "HH:MM"

    @property
    def time(self) -> time:
        hours, minutes = self.slot.split(":")
        return time(int(hours), int(minutes))


def parse_times(raw: str | Iterable[str]) -> list[str]:
    """"8h, 19:00" → ["08:00", "19:00"], sorted, without duplicates."""
    parts = re.split(r"[\s,;]+", raw.strip()) if isinstance(raw, str) else list(raw)
    slots = set()
    for part in parts:
        if not part:
            continue
        text = part.lower().replace("h", ":")
        if text.endswith(":"):
            text += "00"
        if ":" not in text:
            text += ":00"
        hours, _, minutes = text.partition(":")
        text = f"{hours.zfill(2)}:{minutes.zfill(2)}"
        if not TIME_RE.match(text):
            raise RecurrenceError(f"Heure invalide : « {part} » (format HH:MM, par ex. 08:00).")
        slots.add(text)
    if not slots:
        raise RecurrenceError("Indiquez au moins une heure de passage (par ex. 08:00).")
    if len(slots) > MAX_TIMES_PER_DAY:
        raise RecurrenceError(f"Au plus {MAX_TIMES_PER_DAY} passages par jour.")
    return sorted(slots)


def dates(
    *, start: date, end: date, recurrence: str, interval_days: int = 1,
    weekdays: Iterable[int] = (),
) -> Iterator[date]:
    if end < start:
        raise RecurrenceError("La date de fin précède la date de début.")
    if recurrence == DAILY:
        step, days = 1, None
    elif recurrence == EVERY_N_DAYS:
        if not interval_days or interval_days < 1:
            raise RecurrenceError("L'intervalle doit être d'au moins 1 jour.")
        step, days = interval_days, None
    elif recurrence == WEEKDAYS:
        days = {int(d) for d in weekdays}
        if not days or not days <= set(WEEKDAY_LABELS):
            raise RecurrenceError("Choisissez au moins un jour de la semaine.")
        step = 1
    else:
        raise RecurrenceError(f"Récurrence inconnue : {recurrence}.")
    day = start
    while day <= end:
        if days is None or day.isoweekday() in days:
            yield day
        # Stepping past an end at the last representable date would overflow.
        if (end - day).days < step:
            return
        day += timedelta(days=step)


def expand(
    *, start: date, end: date, recurrence: str, times: Iterable[str], interval_days: int = 1,
    weekdays: Iterable[int] = (), limit: int = MAX_VISITS_PER_PLAN,
) -> list[Occurrence]:
    """All (date, slot) occurrences of a plan; refuses more than `limit`.

    The count covers the whole plan (from `start`), so the same plan is
    accepted or refused whatever day it is saved on."""
    slots = parse_times(times)
    days = list(dates(start=start, end=end, recurrence=recurrence,
                      interval_days=interval_days, weekdays=weekdays))
    total = len(days) * len(slots)
    if total > limit:
        raise RecurrenceError(
            f"Ce plan produirait {total} passages (au plus {limit}) : "
            "raccourcissez la période ou espacez les passages."
        )
    return [Occurrence(d, s) for d in days for s in slots]


def window(slot_time: time, *, before_min: int, after_min: int) -> tuple[time, time]:
    """The time window around a slot, kept within the same day."""
    anchor = datetime.combine(date(2000, 1, 1), slot_time)
    start = max(anchor - timedelta(minutes=before_min), datetime.combine(anchor.date(), time(0, 0)))
    end = min(anchor + timedelta(minutes=after_min), datetime.combine(anchor.date(), time(23, 59)))
    return start.time(), end.time()
