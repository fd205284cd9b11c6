"""Who sees and who plans which tournée (one selector per model), and the
queries of the tournée pages and services.

Access policy for tournées:

- titulaire: sees every tournée of the cabinet (she plans the cabinet day and
  may share the visits among the nurses on duty); optimises, reorders,
  accepts or reverts any of them. She marks done only the visits of her own
  tournées.
- remplaçant: only their own tournées (another nurse's tournée is a 404);
  plans and runs them.
- secrétaire: reads the planning of every tournée (read-only: any change is
  403); no "Ma journée", no calendar feed.
- administrateur: no tournée at all (403: no patient data).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core.access import NURSES, OFFICE
from core.models import Role, User

from ..models import PrescribedAct, Prescription, RoutingProfile, Tournee, Visit
from ..models.visits import IcsFeedToken, VisitStatus


def tournees_visible_to(user) -> QuerySet[Tournee]:
    role = getattr(user, "role", None)
    if role in OFFICE:
        return Tournee.objects.all()
    if role == Role.REMPLACANT:
        return Tournee.objects.filter(nurse=user)
    return Tournee.objects.none()


def visits_visible_to(user) -> QuerySet[Visit]:
    """The visits of the tournées the user sees."""
    return Visit.objects.filter(tournee__in=tournees_visible_to(user))


def can_plan(user, tournee: Tournee) -> bool:
    role = getattr(user, "role", None)
    if role == Role.TITULAIRE:
        return True
    return role == Role.REMPLACANT and tournee.nurse_id == user.pk


def can_dispatch(user) -> bool:
    return getattr(user, "role", None) == Role.TITULAIRE


def visits_runnable_by(user) -> QuerySet[Visit]:
    """The visits a nurse marks done or not done: her own."""
    if getattr(user, "role", None) in NURSES:
        return Visit.objects.filter(nurse=user)
    return Visit.objects.none()


def tournee_visits(tournee: Tournee) -> QuerySet[Visit]:
    """The tournée's visits (cancelled ones left out) in their order."""
    return (
        Visit.objects.filter(tournee=tournee)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient")
        .order_by("sequence", "window_start", "pk")
    )


def tournee_nurses() -> QuerySet[User]:
    """The active nurses who may take a tournée (titulaires, remplaçants)."""
    return User.objects.filter(role__in=NURSES, is_active=True).order_by("username")


def active_ics_token(nurse) -> IcsFeedToken | None:
    return IcsFeedToken.objects.filter(nurse=nurse, revoked_at__isnull=True).first()


def calendar_visits(nurse, first_day, last_day) -> QuerySet[Visit]:
    """The nurse's visits of the calendar feed (cancelled ones left out)."""
    return (
        Visit.objects.filter(nurse=nurse, date__gte=first_day, date__lte=last_day)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient")
        .order_by("date", "sequence", "window_start", "pk")
    )


def day_tournees(user, day) -> list[Tournee]:
    """The day's tournées the user sees, with their visit and late counts."""
    return list(
        tournees_visible_to(user).filter(date=day).select_related("nurse")
        .annotate(
            n_visits=Count("visits", filter=~Q(visits__status=VisitStatus.CANCELLED)),
            n_late=Count("visits", filter=Q(visits__late_minutes__gt=0,
                                            visits__status=VisitStatus.PLANNED)),
        ).order_by("nurse__username")
    )


def unassigned_visit_count(day) -> int:
    """The day's planned visits no nurse has yet."""
    return Visit.objects.filter(date=day, nurse__isnull=True, status=VisitStatus.PLANNED).count()


def own_visits(user, day) -> QuerySet[Visit]:
    """The nurse's visits of the day (cancelled ones left out), in their order."""
    return (
        Visit.objects.filter(nurse=user, date=day)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient")
        .order_by("sequence", "planned_time", "window_start", "pk")
    )


def nurses_with_visits(day) -> set[int]:
    """The nurses who have visits on the day (the dispatch form's default)."""
    return set(Visit.objects.filter(date=day, nurse__isnull=False).values_list(
        "nurse_id", flat=True))


def patient_names_of_visits(pks) -> dict[int, str]:
    """Visit pk -> the patient's last name (the lateness report)."""
    return dict(Visit.objects.filter(pk__in=list(pks)).values_list("pk", "patient__last_name"))


def own_tournee(user, day) -> Tournee | None:
    return Tournee.objects.filter(nurse=user, date=day).first()


def routing_profile_of(nurse) -> RoutingProfile | None:
    try:
        return nurse.routing_profile
    except RoutingProfile.DoesNotExist:
        return None


def nurse_skills(nurse) -> list[str]:
    profile = routing_profile_of(nurse)
    return list(profile.skills) if profile else []


def ics_feed_token(pk: int) -> IcsFeedToken | None:
    """The feed token of the URL, active or not (the view checks it)."""
    return IcsFeedToken.objects.select_related("nurse").filter(pk=pk).first()


def visit_prescribed_acts(visit: Visit) -> list[PrescribedAct]:
    """The acts prescribed for a visit: its care plan's prescription, else the
    patient's newest prescription in force on the visit's day (none: [])."""
    if visit.care_plan_id:
        return list(PrescribedAct.objects.filter(prescription__care_plans=visit.care_plan_id)
                    .order_by("pk"))
    prescriptions = (Prescription.objects.filter(patient_id=visit.patient_id,
                                                 start_date__lte=visit.date)
                     .prefetch_related("acts").order_by("-start_date", "-pk")[:20])
    current = next((p for p in prescriptions if p.end_date >= visit.date), None)
    return list(current.acts.all()) if current else []
