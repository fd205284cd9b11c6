"""Who sees and who plans which tournée (one selector per model).

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

from django.db.models import QuerySet

from core.models import Role

from .models import Tournee, Visit


def tournees_visible_to(user) -> QuerySet[Tournee]:
    role = getattr(user, "role", None)
    if role in (Role.TITULAIRE, Role.SECRETAIRE):
        return Tournee.objects.all()
    if role == Role.REMPLACANT:
        return Tournee.objects.filter(nurse=user)
    return Tournee.objects.none()


def can_plan(user, tournee: Tournee) -> bool:
    role = getattr(user, "role", None)
    if role == Role.TITULAIRE:
        return True
    return role == Role.REMPLACANT and tournee.nurse_id == user.pk


def can_dispatch(user) -> bool:
    return getattr(user, "role", None) == Role.TITULAIRE


def visits_runnable_by(user) -> QuerySet[Visit]:
    """The visits a nurse marks done or not done: her own."""
    if getattr(user, "role", None) in (Role.TITULAIRE, Role.REMPLACANT):
        return Visit.objects.filter(nurse=user)
    return Visit.objects.none()
