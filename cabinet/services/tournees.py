"""Tournées: building a nurse's day from her visits, optimising it, sharing a
cabinet day among the nurses, the nurse's manual changes, and the visit
outcome (done / not done) that billing listens to.

Writes are keyword-only functions taking `acting_user`, run in one
transaction and write their audit row in it. Marking a visit done (or editing
a done visit) sends `cabinet.signals.visit_completed`; setting a done visit
back sends `visit_reopened`, both inside the transaction.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.models import Cabinet, Role, User

from .. import routing
from ..models import RoutingProfile, Tournee, Visit
from ..models.visits import IcsFeedToken, NotDoneReason, VisitStatus
from ..signals import visit_completed, visit_reopened

# Learned durations: the mean of the last N recorded durations (same patient, same acts).
LEARN_FROM_LAST = 5
MIN_DURATION, MAX_DURATION = 5, 240


class TourneeError(Exception):
    """A change refused, with a message for the nurse (in French) and, when
    one form field is at fault, its name (the page shows the message there)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


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


def nurses_on_duty() -> list[User]:
    return list(User.objects.filter(
        role__in=[Role.TITULAIRE, Role.REMPLACANT], is_active=True
    ).order_by("username"))


# -- building a tournée ----------------------------------------------------------

def _cabinet_point() -> tuple[float, float, str]:
    cabinet = Cabinet.current()
    if cabinet is None or cabinet.latitude is None or cabinet.longitude is None:
        raise TourneeError("Le cabinet n'a pas de coordonnées : renseignez-les avant de planifier.")
    return float(cabinet.latitude), float(cabinet.longitude), "Cabinet"


def _profile(nurse) -> RoutingProfile | None:
    try:
        return nurse.routing_profile
    except RoutingProfile.DoesNotExist:
        return None


def get_or_create_tournee(*, nurse, day: date) -> Tournee:
    """The nurse's tournée of the day, created with her start point and hours,
    with her visits of the day that are in no tournée yet attached to it."""
    tournee = Tournee.objects.filter(nurse=nurse, date=day).first()
    if tournee is None:
        profile = _profile(nurse)
        lat, lon, label = _cabinet_point()
        if profile and profile.start_latitude is not None and profile.start_longitude is not None:
            lat, lon = float(profile.start_latitude), float(profile.start_longitude)
            label = profile.start_label or "Point de départ"
        tournee = Tournee.objects.create(
            nurse=nurse, date=day, start_latitude=lat, start_longitude=lon, start_label=label,
            start_time=profile.shift_start if profile else time(7, 0),
            end_time=profile.shift_end if profile else time(20, 30),
        )
    Visit.objects.filter(nurse=nurse, date=day, tournee__isnull=True).exclude(
        status=VisitStatus.CANCELLED
    ).update(tournee=tournee)
    return tournee


def tournee_visits(tournee: Tournee):
    return (
        Visit.objects.filter(tournee=tournee)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient")
        .order_by("sequence", "window_start", "pk")
    )


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


def _stop(visit: Visit, *, nurse_id=None, preferred_nurse=None, duration=None) -> routing.Stop:
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


def _nurse(tournee: Tournee, nurse_user=None, skills=()) -> routing.Nurse:
    if tournee.start_latitude is None or tournee.start_longitude is None:
        lat, lon, _ = _cabinet_point()
    else:
        lat, lon = float(tournee.start_latitude), float(tournee.start_longitude)
    end_lat = float(tournee.end_latitude) if tournee.end_latitude is not None else None
    end_lon = float(tournee.end_longitude) if tournee.end_longitude is not None else None
    return routing.Nurse(
        id=tournee.nurse_id, lat=lat, lon=lon, end_lat=end_lat, end_lon=end_lon,
        shift_start=to_minutes(_as_time(tournee.start_time)),
        shift_end=to_minutes(_as_time(tournee.end_time)),
        skills=frozenset(skills),
    )


def _check_located(visits: list[Visit]) -> None:
    missing = [v for v in visits if v.patient.latitude is None or v.patient.longitude is None]
    if missing:
        names = ", ".join(sorted({str(v.patient) for v in missing}))
        raise TourneeError(
            f"Adresse non localisée pour : {names}. Corrigez l'adresse avant d'optimiser."
        )


@dataclass
class PlanResult:
    tournee: Tournee
    solution: routing.Solution
    km_before: float | None
    drive_minutes_before: int | None


def _apply_route(tournee: Tournee, route: routing.Route, visits: dict[int, Visit],
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


def _planned(visits) -> list[Visit]:
    return [v for v in visits if v.status == VisitStatus.PLANNED]


def _current_order(visits: list[Visit]) -> list[int]:
    return [v.pk for v in sorted(visits, key=lambda v: (
        v.sequence if v.sequence is not None else 10_000, v.window_start, v.pk))]


def _learn(visits: list[Visit]) -> None:
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


def _plan_problem(tournee: Tournee, visits: list[Visit], source=None):
    problem = routing.Problem(
        [_nurse(tournee)],
        [_stop(v, nurse_id=tournee.nurse_id) for v in visits],
        source or distance_source(),
    )
    return problem


@transaction.atomic
def optimise_tournee(
    *, acting_user, tournee: Tournee, time_limit_s: float | None = None,
    metaheuristic: bool = True, source=None,
) -> PlanResult:
    """Order the tournée's planned visits to drive least while meeting the
    windows; keep the previous order to compare and revert. Visits already
    done or not done keep their place at the head of the day."""
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    get_or_create_tournee(nurse=tournee.nurse, day=tournee.date)
    visits = list(tournee_visits(tournee))
    planned = _planned(visits)
    _check_located(planned)
    _learn(planned)
    problem = _plan_problem(tournee, planned, source)
    current_order = _current_order(planned)
    before = problem.evaluate({tournee.nurse_id: current_order})
    solution = problem.solve(
        single_options(time_limit_s), {tournee.nurse_id: current_order},
        metaheuristic=metaheuristic,
    )
    settled = len(visits) - len(planned)
    by_pk = {v.pk: v for v in planned}
    _apply_route(tournee, solution.routes[tournee.nurse_id], by_pk, solution,
                 first_sequence=settled + 1)
    _renumber_settled(visits)
    tournee.previous_order = current_order
    tournee.km_before = before.km
    tournee.drive_minutes_before = before.drive_minutes
    tournee.optimised_at = timezone.now()
    tournee.accepted_at = None
    tournee.optimisation_status = solution.status
    tournee.save()
    audit.record(
        actor=acting_user, action="tournee.optimise", obj=tournee, visits=len(planned),
        km_before=before.km, km_after=solution.km, status=solution.status,
        late=[{"visit": x.stop_id, "minutes": x.minutes} for x in solution.late],
    )
    return PlanResult(tournee, solution, before.km, before.drive_minutes)


def _renumber_settled(visits: list[Visit]) -> None:
    """Done / not done visits first, in the order they happened."""
    settled = [v for v in visits if v.status != VisitStatus.PLANNED]
    settled.sort(key=lambda v: (v.done_at or timezone.make_aware(
        datetime.combine(v.date, v.planned_time or v.window_start)), v.pk))
    for position, visit in enumerate(settled, start=1):
        visit.sequence = position
    if settled:
        Visit.objects.bulk_update(settled, ["sequence"])


def reschedule(tournee: Tournee, order: list[int] | None = None) -> routing.Solution:
    """Times, km and lateness of the tournée in the given (or current) order,
    without optimising; saved on the visits and the tournée."""
    visits = list(tournee_visits(tournee))
    planned = _planned(visits)
    _check_located(planned)
    problem = _plan_problem(tournee, planned)
    solution = problem.evaluate({tournee.nurse_id: order or _current_order(planned)})
    _apply_route(tournee, solution.routes[tournee.nurse_id], {v.pk: v for v in planned},
                 solution, first_sequence=len(visits) - len(planned) + 1)
    tournee.save()
    return solution


@transaction.atomic
def move_visit(*, acting_user, tournee: Tournee, visit: Visit, direction: str) -> None:
    """Move a planned visit one place up or down, then recompute the times."""
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    planned = _planned(tournee_visits(tournee))
    order = _current_order(planned)
    if visit.pk not in order:
        raise TourneeError("Ce passage n'est plus à faire : il ne peut pas être déplacé.")
    i = order.index(visit.pk)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(order):
        raise TourneeError("Ce passage ne peut pas être déplacé plus loin.")
    order[i], order[j] = order[j], order[i]
    reschedule(tournee, order)
    audit.record(actor=acting_user, action="tournee.move", obj=tournee, visit=visit.pk,
                 direction=direction, patient_id=visit.patient_id)


@transaction.atomic
def accept_tournee(*, acting_user, tournee: Tournee) -> None:
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    tournee.accepted_at = timezone.now()
    tournee.save(update_fields=["accepted_at"])
    audit.record(actor=acting_user, action="tournee.accept", obj=tournee)


@transaction.atomic
def revert_tournee(*, acting_user, tournee: Tournee) -> None:
    """Back to the order before the last optimisation."""
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    if not tournee.previous_order:
        raise TourneeError("Aucun ordre précédent à rétablir.")
    planned = {v.pk for v in _planned(tournee_visits(tournee))}
    order = [pk for pk in tournee.previous_order if pk in planned]
    order += [pk for pk in sorted(planned) if pk not in order]
    reschedule(tournee, order)
    tournee.previous_order = []
    tournee.km_before = tournee.drive_minutes_before = None
    tournee.accepted_at = None
    tournee.optimisation_status = ""
    tournee.save()
    audit.record(actor=acting_user, action="tournee.revert", obj=tournee)


@transaction.atomic
def set_visit_plan(*, acting_user, visit: Visit, expected_duration_min: int, locked: bool,
                   locked_time: time | None, after_visit: Visit | None = None,
                   required_skill: str | None = None, lateness_cost: int | None = None,
                   nurse: User | None = None) -> None:
    """The nurse's own duration for a visit, whether it is fixed at a time,
    the visit it must follow, the skill it needs and how much lateness weighs;
    with `nurse`, the visit is also handed to that nurse (`reassign_visit`)."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != VisitStatus.PLANNED:
        raise TourneeError("Ce passage n'est plus à faire.")
    if locked and locked_time is None:
        raise TourneeError("Indiquez l'heure à laquelle fixer le passage.", field="locked_time")
    if after_visit is not None:
        if after_visit.pk == visit.pk or after_visit.date != visit.date:
            raise TourneeError("Choisissez un autre passage du même jour.", field="after_visit")
        # No cycle: the chosen visit must not (indirectly) follow this one.
        seen, current = set(), after_visit
        while current is not None and current.pk not in seen:
            if current.after_visit_id == visit.pk:
                raise TourneeError("Ce passage suit déjà celui-ci : l'ordre serait circulaire.",
                                   field="after_visit")
            seen.add(current.pk)
            current = current.after_visit
    if visit.expected_duration_min != expected_duration_min:
        visit.expected_duration_min = expected_duration_min
        visit.duration_set_by_nurse = True
    visit.locked = locked
    if locked:
        visit.planned_time = locked_time
    visit.after_visit = after_visit
    if required_skill is not None:
        visit.required_skill = required_skill
    if lateness_cost is not None:
        visit.lateness_cost = lateness_cost
    visit.save()
    audit.record(actor=acting_user, action="visit.plan", obj=visit, patient_id=visit.patient_id,
                 duration=expected_duration_min, locked=locked,
                 locked_time=locked_time.isoformat() if locked_time else None,
                 after_visit=after_visit.pk if after_visit else None,
                 required_skill=visit.required_skill, lateness_cost=visit.lateness_cost)
    if nurse is not None and nurse.pk != visit.nurse_id:
        reassign_visit(acting_user=acting_user, visit=visit, nurse=nurse)
    elif visit.tournee_id:
        reschedule(visit.tournee)


def _skills(nurse) -> list[str]:
    profile = _profile(nurse)
    return list(profile.skills) if profile else []


@transaction.atomic
def reassign_visit(*, acting_user, visit: Visit, nurse: User) -> Tournee:
    """Hand a planned visit to another nurse (a colleague, a remplaçant): it
    leaves its tournée for the end of hers, and both days are re-timed in
    their current order; each nurse may then optimise her own. The new nurse
    sees the patient from then on (`selectors.patients_visible_to`)."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("tournee").get(pk=visit.pk)
    if visit.status != VisitStatus.PLANNED:
        raise TourneeError("Ce passage n'est plus à faire : il ne peut pas être confié.",
                           field="nurse")
    if not nurse.is_active or nurse.role not in (Role.TITULAIRE, Role.REMPLACANT):
        raise TourneeError("Choisissez un(e) infirmier(ère) de tournée.", field="nurse")
    previous = visit.tournee
    if visit.nurse_id == nurse.pk and previous is not None:
        return previous
    if visit.required_skill and visit.required_skill not in _skills(nurse):
        raise TourneeError(
            f"{nurse} n'a pas la compétence « {visit.required_skill} » demandée pour ce passage.",
            field="nurse")
    target = get_or_create_tournee(nurse=nurse, day=visit.date)
    last = Visit.objects.filter(tournee=target).exclude(pk=visit.pk).order_by(
        "-sequence").values_list("sequence", flat=True).first()
    from_nurse = visit.nurse_id
    visit.nurse = nurse
    visit.tournee = target
    visit.sequence = (last or 0) + 1
    visit.late_minutes = 0
    visit.save(update_fields=["nurse", "tournee", "sequence", "late_minutes", "updated_at"])
    if previous is not None and previous.pk != target.pk:
        reschedule(previous)
    reschedule(target)
    audit.record(actor=acting_user, action="visit.reassign", obj=visit,
                 patient_id=visit.patient_id, from_nurse=from_nurse, to_nurse=nurse.pk,
                 tournee=target.pk)
    return target


# -- the cabinet day --------------------------------------------------------------

@dataclass
class DispatchResult:
    solution: routing.Solution
    tournees: list[Tournee]
    assigned: int


@transaction.atomic
def dispatch_day(
    *, acting_user, day: date, nurses: list[User] | None = None, absent: list[User] = (),
    time_limit_s: float | None = None, metaheuristic: bool = True, source=None,
) -> DispatchResult:
    """Share the day's unassigned planned visits, and those of the `absent`
    nurses (a remplaçant or a colleague takes them over), among the nurses on
    duty (balanced work, the patient's own nurse when possible, skills), and
    order every nurse's tournée. Visits already assigned to a nurse on duty
    stay with her."""
    nurses = nurses if nurses is not None else nurses_on_duty()
    if not nurses:
        raise TourneeError("Aucun(e) infirmier(ère) de tournée ce jour.", field="nurses")
    tournees = [get_or_create_tournee(nurse=n, day=day) for n in nurses]
    tournees = list(Tournee.objects.select_for_update().filter(pk__in=[t.pk for t in tournees])
                    .select_related("nurse").order_by("nurse__username"))
    nurse_ids = {t.nurse_id for t in tournees}
    absent_ids = {n.pk for n in absent} - nurse_ids
    visits = list(
        Visit.objects.filter(date=day, status=VisitStatus.PLANNED)
        .filter(Q(tournee__in=tournees) | Q(nurse__isnull=True) | Q(nurse_id__in=absent_ids))
        .select_related("patient")
        .order_by("pk")
    )
    left_tournees = list(Tournee.objects.select_for_update().filter(
        nurse_id__in=absent_ids, date=day))
    _check_located(visits)
    _learn(visits)
    profiles = {p.nurse_id: p for p in RoutingProfile.objects.filter(nurse_id__in=nurse_ids)}
    route_nurses = [
        _nurse(t, skills=profiles[t.nurse_id].skills if t.nurse_id in profiles else ())
        for t in tournees
    ]
    stops = []
    for v in visits:
        # "Their" nurse: the patient's referent nurse.
        preferred = v.patient.referent_nurse_id
        stops.append(_stop(
            v, nurse_id=v.nurse_id if v.nurse_id in nurse_ids else None,
            preferred_nurse=preferred if preferred in nurse_ids else None,
        ))
    problem = routing.Problem(route_nurses, stops, source or distance_source())
    current = {t.nurse_id: _current_order([v for v in visits if v.tournee_id == t.pk])
               for t in tournees}
    before = problem.evaluate(current)
    solution = problem.solve(dispatch_options(time_limit_s), current, metaheuristic=metaheuristic)
    by_pk = {v.pk: v for v in visits}
    assigned = 0
    for t in tournees:
        route = solution.routes[t.nurse_id]
        assigned += sum(1 for s in route.stops if by_pk[s.stop_id].nurse_id != t.nurse_id)
        settled = Visit.objects.filter(tournee=t).exclude(status=VisitStatus.PLANNED).count()
        t.previous_order = current[t.nurse_id]
        t.km_before = before.routes[t.nurse_id].km
        t.drive_minutes_before = before.routes[t.nurse_id].drive_minutes
        _apply_route(t, route, by_pk, solution, first_sequence=settled + 1)
        t.optimised_at = timezone.now()
        t.accepted_at = None
        t.optimisation_status = solution.status
        t.save()
    # What the absent nurses keep: their visits already done or not done, and
    # those no nurse on duty could take (reported as unassigned).
    for t in left_tournees:
        reschedule(t)
    audit.record(
        actor=acting_user, action="tournee.dispatch", day=day.isoformat(), visits=len(visits),
        assigned=assigned, km_before=before.km, km_after=solution.km, status=solution.status,
        absent=sorted(absent_ids),
        unassigned=[{"visit": sid, "reason": reason} for sid, reason in solution.unassigned],
    )
    return DispatchResult(solution, tournees, assigned)


# -- the day itself ---------------------------------------------------------------

def _clean_acts(visit: Visit, performed: list[int] | None) -> list[dict]:
    """The acts actually performed, picked among the visit's planned acts by position."""
    if performed is None:
        return list(visit.acts)
    acts = list(visit.acts)
    chosen = []
    for index in performed:
        if not 0 <= index < len(acts):
            raise TourneeError("Acte inconnu pour ce passage.", field="performed")
        chosen.append(acts[index])
    return chosen


@transaction.atomic
def mark_done(
    *, acting_user, visit: Visit, done_at: datetime | None = None,
    performed: list[int] | None = None, note: str = "", actual_duration_min: int | None = None,
) -> Visit:
    """The visit is done (or a done visit is corrected): billing is told through
    `visit_completed`, inside this transaction; it bills each visit once."""
    visit = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
    if visit.status == VisitStatus.CANCELLED:
        raise TourneeError("Ce passage a été annulé.")
    acts = _clean_acts(visit, performed)
    # A visit planned without NGAP act (a cooperation follow-up) is done
    # without one; billing then bills nothing for it.
    if not acts and visit.acts:
        raise TourneeError("Cochez au moins un acte réalisé, ou indiquez que le passage n'a pas "
                           "été fait.", field="performed")
    was_done = visit.status == VisitStatus.DONE
    visit.status = VisitStatus.DONE
    visit.done_at = done_at or timezone.now()
    visit.performed_acts = acts
    visit.note = note
    visit.actual_duration_min = actual_duration_min
    visit.not_done_reason = ""
    visit.late_minutes = 0
    visit.save()
    audit.record(
        actor=acting_user, action="visit.edit_done" if was_done else "visit.done", obj=visit,
        patient_id=visit.patient_id, acts=[a.get("catalogue_id") or a.get("key") for a in acts],
    )
    visit_completed.send(sender=Visit, visit=visit, acting_user=acting_user)
    return visit


@transaction.atomic
def mark_not_done(*, acting_user, visit: Visit, reason: str, note: str = "") -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if reason not in NotDoneReason.values:
        raise TourneeError("Choisissez le motif.", field="reason")
    if visit.status == VisitStatus.CANCELLED:
        raise TourneeError("Ce passage a été annulé.")
    was_done = visit.status == VisitStatus.DONE
    visit.status = VisitStatus.NOT_DONE
    visit.not_done_reason = reason
    visit.note = note
    visit.done_at = timezone.now()
    visit.performed_acts = []
    visit.actual_duration_min = None
    visit.late_minutes = 0
    visit.save()
    audit.record(actor=acting_user, action="visit.not_done", obj=visit,
                 patient_id=visit.patient_id, reason=reason)
    if was_done:
        visit_reopened.send(sender=Visit, visit=visit, acting_user=acting_user)
    return visit


@transaction.atomic
def reopen_visit(*, acting_user, visit: Visit) -> Visit:
    """Back to planned (a mistaken tap)."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    was_done = visit.status == VisitStatus.DONE
    if visit.status == VisitStatus.PLANNED:
        return visit
    visit.status = VisitStatus.PLANNED
    visit.done_at = None
    visit.performed_acts = []
    visit.actual_duration_min = None
    visit.not_done_reason = ""
    visit.save()
    audit.record(actor=acting_user, action="visit.reopen", obj=visit, patient_id=visit.patient_id)
    if was_done:
        visit_reopened.send(sender=Visit, visit=visit, acting_user=acting_user)
    return visit


@transaction.atomic
def replan_rest_of_day(
    *, acting_user, tournee: Tournee, position: tuple[float, float] | None = None,
    now: datetime | None = None, time_limit_s: float | None = None,
) -> routing.Solution:
    """Re-order the visits still to do from where the nurse is now (the
    given position, else the last visit she settled, else her start point)."""
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    visits = list(tournee_visits(tournee))
    planned = _planned(visits)
    _check_located(planned)
    now = timezone.localtime(now or timezone.now())
    if position is None:
        settled = [v for v in visits if v.status != VisitStatus.PLANNED and v.done_at]
        if settled:
            last = max(settled, key=lambda v: v.done_at)
            position = (float(last.patient.latitude), float(last.patient.longitude))
    base = _nurse(tournee)
    start_minutes = base.shift_start
    if now.date() == tournee.date:
        start_minutes = max(start_minutes, now.hour * 60 + now.minute)
    nurse = routing.Nurse(
        id=base.id, lat=position[0] if position else base.lat,
        lon=position[1] if position else base.lon,
        end_lat=base.end_point[0], end_lon=base.end_point[1],
        shift_start=start_minutes, shift_end=max(base.shift_end, start_minutes),
    )
    problem = routing.Problem([nurse], [_stop(v, nurse_id=nurse.id) for v in planned],
                              distance_source())
    current = _current_order(planned)
    solution = problem.solve(single_options(time_limit_s), {nurse.id: current})
    _apply_route(tournee, solution.routes[nurse.id], {v.pk: v for v in planned}, solution,
                 first_sequence=len(visits) - len(planned) + 1)
    # km and drive time stay those of the whole day: recompute from the start point.
    whole = _plan_problem(tournee, planned).evaluate({nurse.id: solution.order(nurse.id)})
    tournee.km_estimated = whole.km
    tournee.drive_minutes = whole.drive_minutes
    tournee.save()
    audit.record(actor=acting_user, action="tournee.replan", obj=tournee,
                 remaining=len(planned), status=solution.status)
    return solution


@transaction.atomic
def save_routing_profile(*, acting_user, nurse, start_label: str, start_latitude,
                         start_longitude, shift_start: time, shift_end: time,
                         skills: list[str]) -> RoutingProfile:
    """The nurse's start point, hours and skills; used for the tournées created
    from now on (and skills for every dispatch)."""
    profile, _ = RoutingProfile.objects.get_or_create(nurse=nurse)
    profile.start_label = start_label
    profile.start_latitude = start_latitude
    profile.start_longitude = start_longitude
    profile.shift_start = shift_start
    profile.shift_end = shift_end
    profile.skills = skills
    profile.save()
    audit.record(actor=acting_user, action="routing_profile.update", obj=profile,
                 skills=skills, shift_start=shift_start.isoformat(),
                 shift_end=shift_end.isoformat())
    return profile


# -- iCalendar feed ---------------------------------------------------------------

def active_ics_token(nurse) -> IcsFeedToken | None:
    return IcsFeedToken.objects.filter(nurse=nurse, revoked_at__isnull=True).first()


@transaction.atomic
def regenerate_ics_token(*, acting_user, nurse) -> IcsFeedToken:
    """Revoke the current feed URL (if any) and make a new one."""
    now = timezone.now()
    IcsFeedToken.objects.filter(nurse=nurse, revoked_at__isnull=True).update(revoked_at=now)
    token = IcsFeedToken.objects.create(nurse=nurse, token=IcsFeedToken.new_secret())
    audit.record(actor=acting_user, action="ics.regenerate", obj=token)
    return token


@transaction.atomic
def revoke_ics_token(*, acting_user, nurse) -> int:
    count = IcsFeedToken.objects.filter(nurse=nurse, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    audit.record(actor=acting_user, action="ics.revoke", revoked=count)
    return count


def _ics_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545: lines of at most 75 octets, continued with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def ics_calendar(nurse, *, days_back: int = 7, days_ahead: int = 28, host: str = "") -> str:
    """The nurse's planned visits as an iCalendar feed (times in Europe/Paris,
    written in UTC). Only the patient's name and the time: no clinical data."""
    today = timezone.localdate()
    visits = (
        Visit.objects.filter(
            nurse=nurse, date__gte=today - timedelta(days=days_back),
            date__lte=today + timedelta(days=days_ahead),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient")
        .order_by("date", "sequence", "window_start", "pk")
    )
    stamp = timezone.now().astimezone(UTC)
    fmt = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Cabinet infirmier//Tournees//FR",
        "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_ics_escape('Tournées de ' + str(nurse))}",
    ]
    for visit in visits:
        start_time = visit.planned_time or visit.preferred_time or visit.window_start
        start = timezone.make_aware(datetime.combine(visit.date, start_time))
        end = start + timedelta(minutes=visit.expected_duration_min)
        summary = f"{visit.patient}"
        if visit.status == VisitStatus.DONE:
            summary += " (fait)"
        elif visit.status == VisitStatus.NOT_DONE:
            summary += " (non fait)"
        lines += [
            "BEGIN:VEVENT",
            f"UID:visit-{visit.pk}@{host or 'cabinet'}",
            f"DTSTAMP:{stamp.strftime(fmt)}",
            f"DTSTART:{start.astimezone(stamp.tzinfo).strftime(fmt)}",
            f"DTEND:{end.astimezone(stamp.tzinfo).strftime(fmt)}",
            f"SUMMARY:{_ics_escape(summary)}",
            f"LOCATION:{_ics_escape(visit.patient.full_address)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_ics_fold(line) for line in lines) + "\r\n"
