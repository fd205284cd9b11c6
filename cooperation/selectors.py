"""Who sees what in the cooperation app: one selector per model (S-AUTHZ-1 … S-AUTHZ-3).

- titulaire: every adhesion and convention; she manages her own adhesions, the
  conventions, and the clinical side (eligibility, consent, delegated acts) for the
  patients she sees (`cabinet.selectors.patients.patients_visible_to`).
- remplaçant: the clinical side for the patients she sees; her own adhesions only
  (read); no conventions.
- secrétaire: the administrative side only: adhesions and conventions (manages both),
  the list of inclusions (patient, protocol, consent date, status); never the
  eligibility facts, assessments or delegated acts' findings (S-AUTHZ-1).
- administrateur: the protocols, adhesions and conventions, read only; no patient data.
"""

from __future__ import annotations

from django.db.models import QuerySet

from cabinet.selectors.patients import patients_visible_to
from core.access import NURSES, OFFICE
from core.models import Role

from .models import Adhesion, DelegatedAct, PatientInclusion, ThirdPartyConvention


def _role(user):
    return getattr(user, "role", None)


def can_see_clinical(user) -> bool:
    return _role(user) in NURSES


def cooperation_patients_visible_to(user):
    """Patients whose eligibility and delegated acts the user may see (nurses only)."""
    if not can_see_clinical(user):
        return patients_visible_to(None)
    return patients_visible_to(user)


def adhesions_visible_to(user) -> QuerySet[Adhesion]:
    qs = Adhesion.objects.select_related("doctor", "nurse")
    role = _role(user)
    if role in (Role.TITULAIRE, Role.SECRETAIRE, Role.ADMIN):
        return qs
    if role == Role.REMPLACANT:
        return qs.filter(nurse=user)
    return qs.none()


def can_create_adhesion(user) -> bool:
    return _role(user) in OFFICE


def can_edit_adhesion(user, adhesion: Adhesion) -> bool:
    role = _role(user)
    if role == Role.SECRETAIRE:
        return True
    return role == Role.TITULAIRE and adhesion.nurse_id == user.pk


def inclusions_visible_to(user) -> QuerySet[PatientInclusion]:
    qs = PatientInclusion.objects.select_related(
        "patient", "adhesion", "adhesion__doctor", "adhesion__nurse"
    )
    role = _role(user)
    if role in NURSES:
        return qs.filter(patient__in=patients_visible_to(user))
    if role == Role.SECRETAIRE:
        return qs  # administrative columns only (the templates show no findings)
    return qs.none()


def acts_visible_to(user) -> QuerySet[DelegatedAct]:
    if not can_see_clinical(user):
        return DelegatedAct.objects.none()
    return DelegatedAct.objects.select_related(
        "inclusion", "inclusion__patient", "nurse", "doctor"
    ).filter(inclusion__patient__in=patients_visible_to(user))


def conventions_visible_to(user) -> QuerySet[ThirdPartyConvention]:
    if _role(user) in (Role.TITULAIRE, Role.SECRETAIRE, Role.ADMIN):
        return ThirdPartyConvention.objects.all()
    return ThirdPartyConvention.objects.none()


def can_manage_conventions(user) -> bool:
    return _role(user) in OFFICE
