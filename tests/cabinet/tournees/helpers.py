"""Demo objects for the tournées tests (the demo seeds the coming week's
tournées, optimised)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cabinet.models import Tournee, Visit
from cabinet.models.visits import IcsFeedToken, VisitStatus
from core.models import User


def tomorrow():
    return timezone.localdate() + timedelta(days=1)


def claire_tournee() -> Tournee:
    return Tournee.objects.get(nurse__username="claire", date=tomorrow())


def claire_visit() -> Visit:
    return (Visit.objects.filter(tournee=claire_tournee(), status=VisitStatus.PLANNED)
            .order_by("sequence").first())


def claire_feed() -> IcsFeedToken:
    claire = User.objects.get(username="claire")
    token = IcsFeedToken.objects.filter(nurse=claire, revoked_at__isnull=True).first()
    return token or IcsFeedToken.objects.create(nurse=claire, token=IcsFeedToken.new_secret())
