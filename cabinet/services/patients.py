"""Creating and changing patients, médecins and ALD protocols (S-TRACE-2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from core import audit
from core.versioning import lock_version, next_version

from .. import ald_rules
from ..geocoding import Geocoder, get_geocoder
from ..models import Ald, Medecin, Patient, PatientVersion
from ..models.patients import GeocodeStatus

ADDRESS_FIELDS = ("address", "postcode", "city")
SNAPSHOT_EXCLUDE = {"search_text", "created_at", "updated_at", "row_version", "id"}


@dataclass
class SaveResult:
    patient: Patient
    created: bool
    geocoded: bool | None = None  # None: address unchanged, not looked up
    warnings: list[str] = field(default_factory=list)


def _jsonable(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(patient: Patient) -> dict:
    data = {}
    for f in patient._meta.concrete_fields:
        if f.name in SNAPSHOT_EXCLUDE:
            continue
        data[f.attname] = _jsonable(getattr(patient, f.attname))
    return data


def geocode_patient(patient: Patient, geocoder: Geocoder | None = None) -> bool:
    """Set the coordinates from the address; on failure keep the patient
    without coordinates and flag "adresse non localisée"."""
    result = (geocoder or get_geocoder()).geocode(
        address=patient.address, postcode=patient.postcode, city=patient.city
    )
    if result is None:
        patient.latitude = patient.longitude = None
        patient.geocode_status = GeocodeStatus.FAILED
        return False
    patient.latitude, patient.longitude = result.latitude, result.longitude
    patient.geocode_status = GeocodeStatus.OK
    return True


@transaction.atomic
def save_patient(
    *, acting_user, patient: Patient, expected_version: int | None = None,
    geocoder: Geocoder | None = None,
) -> SaveResult:
    """Create or update a patient. An update first stores the previous version
    and its author (S-TRACE-2) and refuses a stale form or one without its
    version (S-DATA-2)."""
    created = patient.pk is None
    changed: list[str] = []
    if created:
        need_geocode = True
    else:
        previous = lock_version(Patient, patient.pk, expected_version)
        before, after = snapshot(previous), snapshot(patient)
        changed = sorted(k for k in after if before.get(k) != after[k])
        PatientVersion.objects.create(
            patient=previous, version=previous.row_version, snapshot=before,
            changed_fields=changed, author=acting_user,
        )
        next_version(patient, previous)
        need_geocode = any(f in changed for f in ADDRESS_FIELDS) or not patient.is_located
    geocoded = geocode_patient(patient, geocoder) if need_geocode else None
    patient.save()
    audit.record(
        actor=acting_user, action="patient.create" if created else "patient.update",
        obj=patient, patient_id=patient.pk, fields=changed,
    )
    return SaveResult(patient=patient, created=created, geocoded=geocoded)


@transaction.atomic
def save_medecin(*, acting_user, medecin: Medecin,
                 expected_version: int | None = None) -> Medecin:
    """Create or update a médecin; an update refuses a stale form (S-DATA-2)."""
    created = medecin.pk is None
    if not created:
        next_version(medecin, lock_version(Medecin, medecin.pk, expected_version))
    medecin.save()
    audit.record(
        actor=acting_user, action="medecin.create" if created else "medecin.update", obj=medecin
    )
    return medecin


def apply_ald_dates(ald: Ald) -> None:
    """R-ALD-8/9: the end of validity follows from the start, the procedure and
    the duration; the label defaults to the list's wording (R-ALD-15)."""
    if ald.valid_from and (ald.procedure == "derogatoire" or ald.validity_years):
        ald.valid_to = ald_rules.valid_to(
            valid_from=ald.valid_from, procedure=ald.procedure, validity_years=ald.validity_years
        )
    elif not ald.valid_from:
        ald.valid_to = None
    if not ald.label:
        ald.label = ald_rules.ALD_LIST.get(ald.ald_number, "")


@transaction.atomic
def save_ald(*, acting_user, ald: Ald, expected_version: int | None = None) -> Ald:
    """Create or update an ALD; an update refuses a stale form (S-DATA-2)."""
    created = ald.pk is None
    before = None
    if not created:
        previous = lock_version(Ald, ald.pk, expected_version)
        next_version(ald, previous)
        before = {
            "decision": previous.decision, "sent_at": _jsonable(previous.sent_at),
            "valid_from": _jsonable(previous.valid_from), "valid_to": _jsonable(previous.valid_to),
            "procedure": previous.procedure,
        }
    apply_ald_dates(ald)
    ald.save()
    audit.record(
        actor=acting_user, action="ald.create" if created else "ald.update", obj=ald,
        patient_id=ald.patient_id, before=before,
        after={"decision": ald.decision, "sent_at": _jsonable(ald.sent_at),
               "valid_from": _jsonable(ald.valid_from), "valid_to": _jsonable(ald.valid_to),
               "procedure": ald.procedure},
    )
    return ald
