"""The cabinet day: the day's visits shared among the nurses on duty (and
those of the absent nurses handed over), every tournée ordered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.models import User

from .. import routing
from ..models import RoutingProfile, Tournee, Visit
from ..models.visits import VisitStatus
from ..selectors.tournees import tournee_nurses
from .planning import get_or_create_tournee, reschedule
from .routing_adapter import (
    apply_learned_durations,
    apply_route,
    check_located,
    current_order_of,
    dispatch_options,
    distance_source,
    profile_breaks,
    route_nurse,
    route_stop,
)
from .tournee_errors import TourneeError


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
    nurses = nurses if nurses is not None else list(tournee_nurses())
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
    check_located(visits)
    apply_learned_durations(visits)
    profiles = {p.nurse_id: p for p in RoutingProfile.objects.filter(nurse_id__in=nurse_ids)}
    route_nurses = [
        route_nurse(t, skills=profiles[t.nurse_id].skills if t.nurse_id in profiles else (),
                    breaks=profile_breaks(profiles.get(t.nurse_id)))
        for t in tournees
    ]
    stops = []
    for v in visits:
        # "Their" nurse: the patient's referent nurse.
        preferred = v.patient.referent_nurse_id
        stops.append(route_stop(
            v, nurse_id=v.nurse_id if v.nurse_id in nurse_ids else None,
            preferred_nurse=preferred if preferred in nurse_ids else None,
        ))
    problem = routing.Problem(route_nurses, stops, source or distance_source())
    current = {t.nurse_id: current_order_of([v for v in visits if v.tournee_id == t.pk])
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
        apply_route(t, route, by_pk, solution, first_sequence=settled + 1)
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
