from .careplans import CarePlan
from .patients import Ald, Medecin, Patient, PatientVersion
from .prescriptions import PrescribedAct, Prescription
from .visits import IcsFeedToken, RoutingProfile, Tournee, Visit

__all__ = [
    "Ald",
    "CarePlan",
    "Medecin",
    "Patient",
    "PatientVersion",
    "PrescribedAct",
    "Prescription",
    "IcsFeedToken",
    "RoutingProfile",
    "Tournee",
    "Visit",
]
