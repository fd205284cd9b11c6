"""Demo tournées: the coming week's tournée of every demo nurse who has
visits, built from the care-plan visits and optimised.

Idempotent: a tournée already optimised with the same visits is left as is.
Kept short (seeding runs at every test session start): a deterministic
first solution improved by local search to a local optimum, no metaheuristic.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.models import User

from .models import Tournee, Visit
from .models.visits import VisitStatus
from .services import planning
from .services.tournee_errors import TourneeError

NURSES = ("claire", "marc", "sophie", "julie")
DAYS = 7
TIME_LIMIT_S = 0.3


def seed(stdout=None) -> dict:
    today = timezone.localdate()
    nurses = list(User.objects.filter(username__in=NURSES).order_by("username"))
    built = optimised = 0
    for offset in range(DAYS):
        day = today + timedelta(days=offset)
        for nurse in nurses:
            visits = Visit.objects.filter(nurse=nurse, date=day).exclude(
                status=VisitStatus.CANCELLED)
            if not visits.exists():
                continue
            tournee = planning.get_or_create_tournee(nurse=nurse, day=day)
            built += 1
            pending = Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED)
            if tournee.optimised_at and not pending.filter(sequence__isnull=True).exists():
                continue
            try:
                planning.optimise_tournee(
                    acting_user=None, tournee=tournee, time_limit_s=TIME_LIMIT_S,
                    metaheuristic=False,
                )
            except TourneeError as exc:  # e.g. a demo address not located
                if stdout is not None:
                    stdout.write(f"Tournée de {nurse} du {day:%d/%m/%Y} non optimisée : {exc}")
                continue
            Tournee.objects.filter(pk=tournee.pk).update(accepted_at=timezone.now())
            optimised += 1
    if stdout is not None:
        stdout.write(f"Tournées : {built} tournées sur {DAYS} jours ({optimised} optimisées).")
    return {"tournees": built, "optimised": optimised}
