"""The adapter between the cabinet's models and the pure routing engine
(`cabinet.routing`): visits and tournées as routing stops and nurses, the
distance source and solver options from the settings, the solution written
back on the visits, and the durations learned from the visits done."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import time

from django.conf import settings

from core.models import Cabinet

from .. import routing
from ..models import RoutingProfile, Tournee, Visit
from ..models.visits import VisitStatus
from .tournee_errors import TourneeError

LEARN_FROM_LAST = 5
MIN_DURATION, MAX_DURATION = 5, 240


# -- time helpers ---------------------------------------------------------------

def to_minutes(value: time | None) -> int | None:
    if value is None:
        return None
    return value.hour * 60 + value.minute


def to_time(minutes: int) -> time:
    minutes = max(0, min(int(minutes), 24 * 60 - 1))
    return time(minutes // 60, minutes % 60)


def _as_time(value) -> time:
    if isinstance(value, str):
        return time.fromisoformat(value)
    return value


# -- configuration ---------------------------------------------------------------

def distance_source() -> routing.DistanceSource:
    """Straight line × road factor (offline) unless OSRM_URL is configured (S-PRIV-1)."""
    return routing.build_source(
        osrm_url=settings.OSRM_URL, road_factor=settings.ROUTING_ROAD_FACTOR,
        average_speed_kmh=settings.ROUTING_AVERAGE_SPEED_KMH,
        timeout_s=settings.ROUTING_OSRM_TIMEOUT_S,
    )


def single_options(time_limit_s: float | None = None) -> routing.Options:
    return routing.Options(time_limit_s=time_limit_s or settings.ROUTING_TIME_LIMIT_S)


def dispatch_options(time_limit_s: float | None = None) -> routing.Options:
    return routing.Options(time_limit_s=time_limit_s or settings.ROUTING_DISPATCH_TIME_LIMIT_S)


# -- models as a routing problem ---------------------------------------------------

def cabinet_point() -> tuple[float, float, str]:
    cabinet = Cabinet.current()
    if cabinet is None or cabinet.latitude is None or cabinet.longitude is None:
        raise TourneeError("Le cabinet n'a pas de coordonnées : renseignez-les avant de planifier.")
    return float(cabinet.latitude), float(cabinet.longitude), "Cabinet"


def _act_signature(acts) -> tuple:
    return tuple(sorted(str(a.get("catalogue_id") or a.get("key") or "") for a in acts or []))


def learned_durations(visits: list[Visit]) -> dict[int, int]:
    """Visit pk -> the mean of the last five durations recorded at visits of
    the same patient with the same acts (visits with no history are left out)."""
    patient_ids = {v.patient_id for v in visits}
    if not patient_ids:
        return {}
    history: dict[tuple, list[int]] = defaultdict(list)
    done = (
        Visit.objects.filter(
            patient_id__in=patient_ids, status=VisitStatus.DONE, actual_duration_min__isnull=False
        )
        .order_by("-date", "-done_at", "-pk")
        .values_list("patient_id", "acts", "actual_duration_min")
    )
    for patient_id, acts, minutes in done:
        key = (patient_id, _act_signature(acts))
        if len(history[key]) < LEARN_FROM_LAST:
            history[key].append(minutes)
    learned = {}
    for visit in visits:
        samples = history.get((visit.patient_id, _act_signature(visit.acts)))
        if samples:
            mean = round(statistics.fmean(samples))
            learned[visit.pk] = max(MIN_DURATION, min(MAX_DURATION, mean))
    return learned


def route_stop(visit: Visit, *, nurse_id=None, preferred_nurse=None, duration=None) -> routing.Stop:
    patient = visit.patient
    locked = to_minutes(visit.planned_time) if visit.locked and visit.planned_time else None
    return routing.Stop(
        id=visit.pk,
        lat=float(patient.latitude), lon=float(patient.longitude),
        window_start=to_minutes(visit.window_start), window_end=to_minutes(visit.window_end),
        duration=duration or visit.expected_duration_min,
        hard=visit.hard_window,
        preferred_time=to_minutes(visit.preferred_time),
        lateness_cost=visit.lateness_cost,
        locked_time=locked,
        skill=visit.required_skill,
        after=visit.after_visit_id,
        preferred_nurse=preferred_nurse,
        nurse=nurse_id,
    )


def profile_breaks(profile) -> tuple[routing.Break, ...]:
    """The nurse's break from her routing profile, as the solver's `Break`
    (none when the profile has none or is missing)."""
    if profile is None or None in (profile.break_earliest, profile.break_latest,
                                   profile.break_duration):
        return ()
    return (routing.Break(earliest=to_minutes(_as_time(profile.break_earliest)),
                          latest=to_minutes(_as_time(profile.break_latest)),
                          duration=int(profile.break_duration)),)


def route_nurse(tournee: Tournee, nurse_user=None, skills=(), breaks=None) -> routing.Nurse:
    """`breaks` None: those of the nurse's routing profile."""
    if breaks is None:
        breaks = profile_breaks(RoutingProfile.objects.filter(nurse_id=tournee.nurse_id).first())
    if tournee.start_latitude is None or tournee.start_longitude is None:
        lat, lon, _ = cabinet_point()
    else:
        lat, lon = float(tournee.start_latitude), float(tournee.start_longitude)
    end_lat = float(tournee.end_latitude) if tournee.end_latitude is not None else None
    end_lon = float(tournee.end_longitude) if tournee.end_longitude is not None else None
    return routing.Nurse(
        id=tournee.nurse_id, lat=lat, lon=lon, end_lat=end_lat, end_lon=end_lon,
        shift_start=to_minutes(_as_time(tournee.start_time)),
        shift_end=to_minutes(_as_time(tournee.end_time)),
        skills=frozenset(skills), breaks=tuple(breaks),
    )


def check_located(visits: list[Visit]) -> None:
    missing = [v for v in visits if v.patient.latitude is None or v.patient.longitude is None]
    if missing:
        names = ", ".join(sorted({str(v.patient) for v in missing}))
        raise TourneeError(
            f"Adresse non localisée pour : {names}. Corrigez l'adresse avant d'optimiser."
        )


def apply_route(tournee: Tournee, route: routing.Route, visits: dict[int, Visit],
                 solution: routing.Solution, *, first_sequence: int = 1) -> None:
    late = solution.late_by_id
    changed = []
    for position, item in enumerate(route.stops, start=first_sequence):
        visit = visits[item.stop_id]
        visit.sequence = position
        if not visit.locked:
            visit.planned_time = to_time(item.start)
        visit.late_minutes = late[item.stop_id].minutes if item.stop_id in late else 0
        visit.tournee = tournee
        visit.nurse_id = tournee.nurse_id
        changed.append(visit)
    Visit.objects.bulk_update(
        changed, ["sequence", "planned_time", "late_minutes", "tournee", "nurse", "updated_at"]
    )
    tournee.km_estimated = route.km
    tournee.drive_minutes = route.drive_minutes
    if route.stops:
        tournee.departure_time = to_time(route.departure)
        tournee.return_time = to_time(route.return_time)
    else:
        tournee.departure_time = tournee.return_time = None


def planned_only(visits) -> list[Visit]:
    return [v for v in visits if v.status == VisitStatus.PLANNED]


def current_order_of(visits: list[Visit]) -> list[int]:
    return [v.pk for v in sorted(visits, key=lambda v: (
        v.sequence if v.sequence is not None else 10_000, v.window_start, v.pk))]


def apply_learned_durations(visits: list[Visit]) -> None:
    """Expected durations follow the recorded ones, unless the nurse set them."""
    learned = learned_durations(visits)
    changed = []
    for visit in visits:
        minutes = learned.get(visit.pk)
        if minutes and not visit.duration_set_by_nurse and minutes != visit.expected_duration_min:
            visit.expected_duration_min = minutes
            changed.append(visit)
    if changed:
        Visit.objects.bulk_update(changed, ["expected_duration_min"])


def plan_problem(tournee: Tournee, visits: list[Visit], source=None):
    problem = routing.Problem(
        [route_nurse(tournee)],
        [route_stop(v, nurse_id=tournee.nurse_id) for v in visits],
        source or distance_source(),
    )
    return problem
