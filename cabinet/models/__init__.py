from .careplans import CarePlan
from .patients import Ald, Medecin, Patient
from .prescriptions import PrescribedAct, Prescription
from .visits import Tournee, Visit

__all__ = [
    "Ald",
    "CarePlan",
    "Medecin",
    "Patient",
    "PrescribedAct",
    "Prescription",
    "Tournee",
    "Visit",
]
