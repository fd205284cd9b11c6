"""Demo objects the cabinet tests use (found by natural keys in the demo data)."""

from __future__ import annotations

from cabinet.models import Ald, CarePlan, Medecin, Patient, Prescription


def claire_patient() -> Patient:
    """A patient of claire's sector (no visit assigned to julie)."""
    return Patient.objects.get(last_name="Girard", first_name="Marcel")


def julie_patient() -> Patient:
    """A patient whose visits are assigned to julie (the remplaçante)."""
    return Patient.objects.get(last_name="Colin", first_name="Émile")


def claire_prescription() -> Prescription:
    return Prescription.objects.filter(patient=claire_patient()).order_by("pk").first()


def claire_ald() -> Ald:
    return Ald.objects.filter(patient=claire_patient()).order_by("pk").first()


def claire_care_plan() -> CarePlan:
    return CarePlan.objects.filter(patient=claire_patient()).order_by("pk").first()


def a_medecin() -> Medecin:
    return Medecin.objects.order_by("pk").first()
