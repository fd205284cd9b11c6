"""Planning a nurse's tournée: building it from her visits, optimising it,
her manual changes (move, accept, revert, a visit's own plan, handing a
visit to another nurse) and re-planning the rest of the day.

Writes are keyword-only functions taking `acting_user`, run in one
transaction and write their audit row in it. The cabinet day shared among
the nurses is `dispatch`; the visit outcome (done / not done) is
`visit_outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from core import audit
from core.access import NURSES
from core.models import User

from .. import routing
from ..models import Tournee, Visit
from ..models.visits import VisitStatus
from ..selectors.tournees import nurse_skills, routing_profile_of, tournee_visits
from .routing_adapter import (
    apply_learned_durations,
    apply_route,
    cabinet_point,
    check_located,
    current_order_of,
    distance_source,
    plan_problem,
    planned_only,
    route_nurse,
    route_stop,
    single_options,
)
from .tournee_errors import TourneeError


def get_or_create_tournee(*, nurse, day: date) -> Tournee:
    """The nurse's tournée of the day, created with her start point and hours,
    with her visits of the day that are in no tournée yet attached to it."""
    tournee = Tournee.objects.filter(nurse=nurse, date=day).first()
    if tournee is None:
        profile = routing_profile_of(nurse)
        lat, lon, label = cabinet_point()
        if profile and profile.start_latitude is not None and profile.start_longitude is not None:
            lat, lon = float(profile.start_latitude), float(profile.start_longitude)
            label = profile.start_label or profile.start_address or "Point de départ"
        tournee = Tournee.objects.create(
            nurse=nurse, date=day, start_latitude=lat, start_longitude=lon, start_label=label,
            start_time=profile.shift_start if profile else time(7, 0),
            end_time=profile.shift_end if profile else time(20, 30),
        )
    Visit.objects.filter(nurse=nurse, date=day, tournee__isnull=True).exclude(
        status=VisitStatus.CANCELLED
    ).update(tournee=tournee)
    return tournee


@dataclass
class PlanResult:
    tournee: Tournee
    solution: routing.Solution
    km_before: float | None
    drive_minutes_before: int | None


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
    planned = planned_only(visits)
    check_located(planned)
    apply_learned_durations(planned)
    problem = plan_problem(tournee, planned, source)
    current_order = current_order_of(planned)
    before = problem.evaluate({tournee.nurse_id: current_order})
    solution = problem.solve(
        single_options(time_limit_s), {tournee.nurse_id: current_order},
        metaheuristic=metaheuristic,
    )
    settled = len(visits) - len(planned)
    by_pk = {v.pk: v for v in planned}
    apply_route(tournee, solution.routes[tournee.nurse_id], by_pk, solution,
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
    planned = planned_only(visits)
    check_located(planned)
    problem = plan_problem(tournee, planned)
    solution = problem.evaluate({tournee.nurse_id: order or current_order_of(planned)})
    apply_route(tournee, solution.routes[tournee.nurse_id], {v.pk: v for v in planned},
                 solution, first_sequence=len(visits) - len(planned) + 1)
    tournee.save()
    return solution


@transaction.atomic
def move_visit(*, acting_user, tournee: Tournee, visit: Visit, direction: str) -> None:
    """Move a planned visit one place up or down, then recompute the times."""
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    planned = planned_only(tournee_visits(tournee))
    order = current_order_of(planned)
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
    planned = {v.pk for v in planned_only(tournee_visits(tournee))}
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
    if not nurse.is_active or nurse.role not in NURSES:
        raise TourneeError("Choisissez un(e) infirmier(ère) de tournée.", field="nurse")
    previous = visit.tournee
    if visit.nurse_id == nurse.pk and previous is not None:
        return previous
    if visit.required_skill and visit.required_skill not in nurse_skills(nurse):
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


@transaction.atomic
def replan_rest_of_day(
    *, acting_user, tournee: Tournee, position: tuple[float, float] | None = None,
    now: datetime | None = None, time_limit_s: float | None = None,
) -> routing.Solution:
    """Re-order the visits still to do from where the nurse is now (the
    given position, else the last visit she settled, else her start point)."""
    tournee = Tournee.objects.select_for_update().get(pk=tournee.pk)
    visits = list(tournee_visits(tournee))
    planned = planned_only(visits)
    check_located(planned)
    now = timezone.localtime(now or timezone.now())
    if position is None:
        settled = [v for v in visits if v.status != VisitStatus.PLANNED and v.done_at]
        if settled:
            last = max(settled, key=lambda v: v.done_at)
            position = (float(last.patient.latitude), float(last.patient.longitude))
    base = route_nurse(tournee)
    start_minutes = base.shift_start
    if now.date() == tournee.date:
        start_minutes = max(start_minutes, now.hour * 60 + now.minute)
    nurse = routing.Nurse(
        id=base.id, lat=position[0] if position else base.lat,
        lon=position[1] if position else base.lon,
        end_lat=base.end_point[0], end_lon=base.end_point[1],
        shift_start=start_minutes, shift_end=max(base.shift_end, start_minutes),
        # A break whose latest start has passed is no longer scheduled.
        breaks=tuple(b for b in base.breaks if b.latest >= start_minutes),
    )
    problem = routing.Problem([nurse], [route_stop(v, nurse_id=nurse.id) for v in planned],
                              distance_source())
    current = current_order_of(planned)
    solution = problem.solve(single_options(time_limit_s), {nurse.id: current})
    apply_route(tournee, solution.routes[nurse.id], {v.pk: v for v in planned}, solution,
                 first_sequence=len(visits) - len(planned) + 1)
    # km and drive time stay those of the whole day: recompute from the start point.
    whole = plan_problem(tournee, planned).evaluate({nurse.id: solution.order(nurse.id)})
    tournee.km_estimated = whole.km
    tournee.drive_minutes = whole.drive_minutes
    tournee.save()
    audit.record(actor=acting_user, action="tournee.replan", obj=tournee,
                 remaining=len(planned), status=solution.status)
    return solution
