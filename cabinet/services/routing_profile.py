"""The nurse's routing profile: her start point, hours and skills."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from core import audit

from ..models import RoutingProfile


@transaction.atomic
def save_routing_profile(*, acting_user, nurse, start_label: str, start_latitude,
                         start_longitude, shift_start: time, shift_end: time,
                         skills: list[str]) -> RoutingProfile:
    """The nurse's start point, hours and skills; used for the tournées created
    from now on (and skills for every dispatch)."""
    profile, _ = RoutingProfile.objects.update_or_create(nurse=nurse, defaults={
        "start_label": start_label, "start_latitude": start_latitude,
        "start_longitude": start_longitude, "shift_start": shift_start, "shift_end": shift_end,
        "skills": skills,
    })
    audit.record(actor=acting_user, action="routing_profile.update", obj=profile,
                 skills=skills, shift_start=shift_start.isoformat(),
                 shift_end=shift_end.isoformat())
    return profile
