"""The facts of a passage, built straight from the models into the engine's
`Passage` (no JSON on the way): the patient (birth date, BSI level, ALD), the
cabinet (zone, territory, Alsace-Moselle, distance and agglomeration from the
addresses), the prescription (night, Sunday, at home) and the acts.

Both a done visit and a passage entered by the secretary go through
`passage_facts`; what the engine cannot price raises `QuoteError` with the
field at fault, like the JSON parser of `ngap_quote` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from cabinet.routing import haversine_m
from core.models import Cabinet

from ..ngap import catalogue
from ..ngap.jsonio import MAX_COEFFICIENT, MAX_KM
from ..ngap.model import ActFacts, Passage, PatientFacts, QuoteError

ZERO = Decimal(0)


@dataclass
class Facts:
    """A passage ready for the engine, and the notes explaining the facts
    the software estimated (distance, agglomeration, shared travel)."""

    passage: Passage
    notes: list[str] = field(default_factory=list)


def care_time(visit) -> time | None:
    """The time of care of a visit: when it was marked done (that day), else
    the planned, preferred or earliest time."""
    if visit.done_at is not None:
        done = timezone.localtime(visit.done_at)
        if done.date() == visit.date:
            return done.time().replace(second=0, microsecond=0)
    for value in (visit.planned_time, visit.preferred_time, visit.window_start):
        if value is not None:
            return value.replace(second=0, microsecond=0)
    return None


def distance_km(cabinet: Cabinet | None, patient) -> Decimal | None:
    """One-way distance cabinet → patient: straight line × the road factor of
    the tournées, to the nearest km (an estimate the secretary may correct)."""
    if cabinet is None or None in (cabinet.latitude, cabinet.longitude,
                                   patient.latitude, patient.longitude):
        return None
    meters = haversine_m((float(cabinet.latitude), float(cabinet.longitude)),
                         (float(patient.latitude), float(patient.longitude)))
    km = Decimal(str(meters * settings.ROUTING_ROAD_FACTOR / 1000))
    return km.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def same_agglomeration(cabinet: Cabinet | None, patient) -> bool:
    """Agglomeration estimated by the commune (same postcode and city)."""
    if cabinet is None:
        return False
    return (cabinet.postcode.strip() == patient.postcode.strip()
            and cabinet.city.strip().casefold() == patient.city.strip().casefold())


def ald_covers(patient, day: date) -> bool:
    # The decision known when pricing, not on the day of care: once agreed,
    # care given while the protocol was waiting is covered too (R-ALD-10).
    return any(ald.covers_care_on(day) for ald in patient.alds.all())


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return Decimal(int(number)) if number == number.to_integral_value() else number


def act_facts(act: dict, where: str) -> ActFacts:
    """One act in the shape the cabinet stores (`Visit.performed_acts`:
    catalogue_id, key, coefficient, label, ald_zone) as the engine's facts;
    the coefficient of a catalogue act comes from the catalogue when absent."""
    key = (act.get("key") or "").strip().upper() or None
    act_id = (act.get("catalogue_id") or "").strip().upper()
    entry = catalogue.get(act_id) if act_id else None
    if entry is not None and not key:
        key = entry.key
    if not key:
        raise QuoteError("lettre-clé attendue", f"{where}.key")
    coefficient = _decimal(act.get("coefficient"))
    if key in catalogue.EURO_FORFAITS:
        coefficient = None
    elif coefficient is None and entry is not None:
        coefficient = _decimal(entry.coefficient)
    if coefficient is not None and not ZERO < coefficient <= MAX_COEFFICIENT:
        raise QuoteError("le nombre doit être strictement positif" if coefficient <= ZERO
                         else f"valeur invraisemblable (> {MAX_COEFFICIENT})",
                         f"{where}.coefficient")
    zone = act.get("ald_zone") or ""
    return ActFacts(
        key=key,
        coefficient=coefficient,
        label=(act.get("label") or "")[:255],
        id=act_id if entry is not None else None,
        ald_related=(zone == "upper") if zone in ("upper", "lower") else None,
    )


def passage_facts(*, patient, cabinet: Cabinet | None, day: date, at: time | None,
                  acts: list[dict], prescription=None, place: str = "domicile",
                  urgent_call: bool = False, palliative: bool = False,
                  urgent_night_prescribed: bool | None = None,
                  sunday_holiday_prescribed: bool | None = None,
                  distance: Decimal | None = None) -> Facts:
    """The facts of one passage, without its day context (IK already billed,
    BSI forfait already billed, shared travel: `price_day` adds them).

    Night and Sunday prescriptions default to the prescription's flags; the
    distance to the estimate from the addresses (`distance` overrides it)."""
    notes: list[str] = []
    if at is None:
        raise QuoteError("heure du passage inconnue", "time")
    if distance is None:
        distance = distance_km(cabinet, patient)
        if distance is None:
            distance = ZERO
            notes.append("Distance cabinet – patient inconnue (adresse non localisée) : IK non "
                         "calculées, à saisir.")
    if not ZERO <= distance <= MAX_KM:
        raise QuoteError("distance invraisemblable", "distance_km")
    agglomeration = same_agglomeration(cabinet, patient)
    if agglomeration:
        notes.append("Même commune que le cabinet : agglomération commune présumée, pas d'IK "
                     "(NGAP-13-3).")
    ald = ald_covers(patient, day)
    if urgent_night_prescribed is None:
        urgent_night_prescribed = bool(prescription and prescription.night_required)
    if sunday_holiday_prescribed is None:
        sunday_holiday_prescribed = bool(prescription and prescription.rigorously_daily)
    passage = Passage(
        date=day,
        time=at.replace(second=0, microsecond=0),
        place=place,
        zone=cabinet.zone if cabinet else "plaine",
        distance_km=_decimal(distance) or ZERO,
        same_agglomeration=agglomeration,
        patient=PatientFacts(birth_date=patient.birth_date, bsi_level=patient.bsi_level or None,
                             ald=ald, id=str(patient.pk)),
        acts=tuple(act_facts(a, f"acts[{i}]") for i, a in enumerate(acts)),
        urgent_night_prescribed=urgent_night_prescribed,
        sunday_holiday_prescribed=sunday_holiday_prescribed,
        urgent_call=urgent_call,
        palliative=palliative,
        coverage="ald" if ald else "standard",
        care_related_to_ald=False,  # per act, from the bizone zone (R-ALD-13)
        home_care_prescribed=bool(prescription.at_home) if prescription else True,
        territory="dom" if cabinet and cabinet.overseas else "metropole",
        alsace_moselle=bool(cabinet and cabinet.alsace_moselle),
    )
    return Facts(passage, notes)


def visit_facts(visit, cabinet: Cabinet | None) -> Facts:
    """The facts of a done visit: its performed acts, at its time of care,
    under its care plan's prescription."""
    prescription = visit.care_plan.prescription if visit.care_plan_id else None
    return passage_facts(patient=visit.patient, cabinet=cabinet, day=visit.date,
                         at=care_time(visit), acts=list(visit.performed_acts or []),
                         prescription=prescription)
