"""Who sees which patient data: one selector per model, used by every view and
export of the cabinet app (S-AUTHZ-1 … S-AUTHZ-3).

Access policy:

- titulaire and secrétaire: all the cabinet's patients (one deployment serves
  one cabinet). The secrétaire sees administrative data only: never the
  clinical notes (`can_see_clinical`).
- remplaçant: S-AUTHZ-3 says the patients of the titulaires replaced during the
  contract period (R-REPL-43). A signed contract hands the titulaire's visits of
  the period to the remplaçant (replacements app, `Visit.nurse` = her,
  `on_behalf_of` = the titulaire); she sees the patients of the visits assigned
  to her from `REPLACEMENT_ACCESS_MARGIN_DAYS` days ago on, so access ends a few
  days after her last visit of the contract. (The cabinet never imports the
  replacements app: the visits carry what it needs.)
- administrateur: no patient data at all (no clinical or administrative
  record); the administrator reads the access log per patient
  (`patient_for_access_log`), which shows the patient's name only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from core.access import NURSES, OFFICE, STAFF
from core.models import Role

from ..models import Ald, CarePlan, Medecin, Patient, Prescription, Visit
from ..search import terms


def patients_visible_to(user) -> QuerySet[Patient]:
    role = getattr(user, "role", None)
    if role in OFFICE:
        return Patient.objects.all()
    if role == Role.REMPLACANT:
        since = timezone.localdate() - dt.timedelta(days=settings.REPLACEMENT_ACCESS_MARGIN_DAYS)
        return Patient.objects.filter(
            pk__in=Visit.objects.filter(nurse=user, date__gte=since).values("patient_id")
        )
    return Patient.objects.none()


def can_see_clinical(user) -> bool:
    """S-AUTHZ-1: clinical notes are for nurses only."""
    return getattr(user, "role", None) in NURSES


def can_edit_alds(user) -> bool:
    """The remplaçant reads the ALD of her patients; the titulaires and the
    secretary keep the protocols up to date."""
    return getattr(user, "role", None) in OFFICE


def can_edit_medecins(user) -> bool:
    return getattr(user, "role", None) in OFFICE


def search_patients(qs: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """Every term must appear in the folded search text (name, birth name,
    birth date dd/mm/yyyy, NIR). On PostgreSQL the trigram index serves it."""
    for term in terms(query):
        qs = qs.filter(search_text__contains=term)
    return qs


def prescriptions_visible_to(user) -> QuerySet[Prescription]:
    return Prescription.objects.filter(patient__in=patients_visible_to(user))


def alds_visible_to(user) -> QuerySet[Ald]:
    return Ald.objects.filter(patient__in=patients_visible_to(user))


def care_plans_visible_to(user) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(patient__in=patients_visible_to(user))


def medecins_visible_to(user) -> QuerySet[Medecin]:
    """Prescribers are not patient data: every member of the care team sees them."""
    if getattr(user, "role", None) in STAFF:
        return Medecin.objects.all()
    return Medecin.objects.none()


def patient_for_access_log(user, pk: int) -> Patient | None:
    """The administrator reads the access log of any patient (name only)."""
    if getattr(user, "role", None) != Role.ADMIN:
        return None
    return Patient.objects.only("pk", "last_name", "first_name").filter(pk=pk).first()
