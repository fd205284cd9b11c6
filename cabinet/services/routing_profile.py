"""The nurse's routing profile: her start point, hours and skills."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit

from ..geocoding import Geocoder, get_geocoder
from ..models import RoutingProfile


@transaction.atomic
def save_routing_profile(*, acting_user, nurse, start_label: str, start_address: str,
                         start_postcode: str, start_city: str, shift_start: time,
                         shift_end: time, skills: list[str],
                         break_earliest: time | None = None, break_latest: time | None = None,
                         break_duration: int | None = None,
                         geocoder: Geocoder | None = None) -> RoutingProfile:
    """The nurse's start point (an address, geocoded like a patient's: offline
    unless the deployment configures a geocoder, S-PRIV-1), hours and skills;
    used for the tournées created from now on (and skills for every dispatch).
    An address that cannot be located is refused at its field: a start point
    without coordinates would silently become the cabinet."""
    start_address = start_address.strip()
    latitude = longitude = None
    if start_address:
        found = (geocoder or get_geocoder()).geocode(
            address=start_address, postcode=start_postcode, city=start_city)
        if found is None:
            raise ValidationError({"start_address": (
                "Adresse introuvable : vérifiez le numéro, la voie, le code postal et la "
                "commune.")})
        latitude, longitude = found.latitude, found.longitude
    else:
        start_postcode = start_city = ""
    profile, _ = RoutingProfile.objects.update_or_create(nurse=nurse, defaults={
        "start_label": start_label, "start_address": start_address,
        "start_postcode": start_postcode, "start_city": start_city,
        "start_latitude": latitude, "start_longitude": longitude,
        "shift_start": shift_start, "shift_end": shift_end, "skills": skills,
        "break_earliest": break_earliest, "break_latest": break_latest,
        "break_duration": break_duration,
    })
    # The address is the nurse's, not a patient's: the audit row keeps only
    # whether a start point other than the cabinet is set.
    audit.record(actor=acting_user, action="routing_profile.update", obj=profile,
                 skills=skills, shift_start=shift_start.isoformat(),
                 shift_end=shift_end.isoformat(), own_start_point=bool(start_address),
                 break_duration=break_duration)
    return profile
