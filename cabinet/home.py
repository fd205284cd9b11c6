"""The cabinet's home cards: a nurse's day (visits done and left, km, one tap
to « Ma journée ») and the renewals needing attention (prescriptions ending,
BSI and ALD deadlines). A fixed number of queries each (aggregates)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from core.access import NURSES, STAFF
from core.home import HomeCard, register_card

from .models.visits import VisitStatus
from .selectors.patients import patients_visible_to
from .selectors.tournees import own_tournee, own_visits
from .services import worklist


def today_card(user, today: date) -> dict:
    visits = own_visits(user, today)
    counts = visits.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=VisitStatus.DONE)),
        not_done=Count("pk", filter=Q(status=VisitStatus.NOT_DONE)),
        left=Count("pk", filter=Q(status=VisitStatus.PLANNED)),
    )
    tournee = own_tournee(user, today)
    following = visits.filter(status=VisitStatus.PLANNED).first()
    return {
        **counts,
        "km": tournee.km_estimated if tournee else None,
        "next": following,
        "url": reverse("cabinet:my_day"),
        "tournee_url": reverse("cabinet:tournee_detail", args=[tournee.pk]) if tournee else None,
    }


def renewals_card(user, today: date) -> dict:
    work = worklist.build(patients=patients_visible_to(user), today=today)
    return {
        "prescriptions": work.prescriptions.paginator.count,
        "bsi": work.bsi.paginator.count,
        "alds": work.alds.paginator.count,
        "horizon": work.horizon,
        "url": reverse("cabinet:worklist"),
        "empty": work.empty,
    }


def register() -> None:
    register_card(HomeCard("cabinet-today", NURSES, "cabinet/home/today.html", today_card,
                           order=1))
    register_card(HomeCard("cabinet-renewals", STAFF, "cabinet/home/renewals.html",
                           renewals_card, order=30))
