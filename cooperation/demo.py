"""Demo data for the cooperation app: adhesions of the demo titulaires with demo médecins,
assessments that make a few patients eligible (or incomplete, or excluded), one PA-PH
inclusion with its monthly follow-up and a delegated act, one ASALEE inclusion and one
télésurveillance convention. Deterministic and idempotent: rows are looked up by natural
keys and created through the services (so they are audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cabinet.models import Medecin, Patient
from core.models import User

from . import models, services
from .models import AdhesionStatus, StructureKind

# nurse, médecin (last name), protocol, structure kind, structure, status
ADHESIONS = [
    ("claire", "Lefèvre", "pa-ph", StructureKind.MSP, "MSP des Tilleuls", AdhesionStatus.ACTIVE),
    ("sophie", "Moreau", "pa-ph", StructureKind.CPTS, "CPTS Tours Centre", AdhesionStatus.ACTIVE),
    ("marc", "Roussel", "asalee", StructureKind.ASALEE, "Cabinet médical de la Tranchée",
     AdhesionStatus.ACTIVE),
    # A remplaçante whose training is not done yet: her adhesion is not active.
    ("julie", "Lefèvre", "pa-ph", StructureKind.MSP, "MSP des Tilleuls", AdhesionStatus.DRAFT),
]

ELDERLY_AT_HOME = {
    "needs_medical_follow_up": True, "cannot_travel_to_practice": True,
    "cannot_travel_reason": "Ne peut plus se déplacer seul(e) au cabinet médical",
    "doctor_home_visits_last_year": 4, "iadl_travel_level": 4, "living_place": "home",
    "psychiatric_unstabilised": False, "refusal": False, "home_follow_up_impossible": False,
    "has_bsi": False, "polyhandicap": False,
}

# (last, first) → assessment facts
ASSESSMENTS = {
    ("Vidal", "Madeleine"): ELDERLY_AT_HOME,
    ("Girard", "Marcel"): {**ELDERLY_AT_HOME, "doctor_home_visits_last_year": 5,
                           "diabetes_type2": True},
    ("Faure", "Marguerite"): {**ELDERLY_AT_HOME, "doctor_home_visits_last_year": 2,
                              "iadl_travel_level": 5},
    ("Colin", "Émile"): {**ELDERLY_AT_HOME, "iadl_travel_level": 3},
    ("Blanc", "Lucien"): {**ELDERLY_AT_HOME, "doctor_home_visits_last_year": 3},
    # Incomplete: the criterion B facts and two exclusions are not known yet.
    ("Gauthier", "Roger"): {"needs_medical_follow_up": True, "refusal": False,
                            "polyhandicap": False},
    # ASALEE (Dr Roussel's patients).
    ("Brun", "Thérèse"): {"diabetes_type2": True, "cardiovascular_risk": True},
    ("Leroy", "Claude"): {"smoker": True, "copd_risk": True, "diabetes_type2": False},
}


def _patient(last: str, first: str) -> Patient | None:
    return Patient.objects.filter(last_name=last, first_name=first).first()


def _adhesions(users: dict[str, User]) -> int:
    created = 0
    for username, doctor_name, protocol, kind, structure, status in ADHESIONS:
        doctor = Medecin.objects.filter(last_name=doctor_name).order_by("pk").first()
        nurse = users.get(username)
        if doctor is None or nurse is None:
            continue
        if models.Adhesion.objects.filter(protocol=protocol, doctor=doctor, nurse=nurse).exists():
            continue
        active = status == AdhesionStatus.ACTIVE
        services.save_adhesion(acting_user=users["nadia"], adhesion=None, data={
            "protocol": protocol, "doctor": doctor, "nurse": nurse, "structure_kind": kind,
            "structure_name": structure,
            "declared_at": dt.date(2024, 9, 2) if active else None,
            "declaration_ref": f"DEMO-{protocol.upper()}-{nurse.username.upper()}" if active else "",
            "engagement_signed_at": dt.date(2024, 8, 26) if active else None,
            "sworn_statement_at": dt.date(2024, 8, 26) if active else None,
            "training_title": "Formation au protocole (théorie et pratique supervisée)",
            "training_hours": Decimal("14") if active else None,
            "training_completed_at": dt.date(2024, 6, 20) if active else None,
            "doctor_engagement_signed_at": dt.date(2024, 8, 27) if active else None,
            "doctor_sworn_statement_at": dt.date(2024, 8, 27) if active else None,
            "doctor_training_title": "Formation des délégants (PA-PH)" if active else "",
            "doctor_training_hours": Decimal("7") if active else None,
            "doctor_training_completed_at": dt.date(2024, 6, 21) if active else None,
            "status": status,
        })
        created += 1
    return created


def _assessments(users: dict[str, User], today: dt.date) -> None:
    for (last, first), facts in ASSESSMENTS.items():
        patient = _patient(last, first)
        if patient is None or models.PatientAssessment.objects.filter(patient=patient).exists():
            continue
        services.save_assessment(acting_user=users["claire"], patient=patient,
                                 data={**facts, "assessed_on": today - dt.timedelta(days=50)})


def _vidal_inclusion(users: dict[str, User], today: dt.date) -> models.PatientInclusion | None:
    patient = _patient("Vidal", "Madeleine")
    claire = users["claire"]
    if patient is None:
        return None
    inclusion = models.PatientInclusion.objects.filter(patient=patient, protocol="pa-ph").first()
    if inclusion is None:
        inclusion = services.record_consent(acting_user=claire, patient=patient,
                                            protocol_id="pa-ph", data={
            "informed_at": today - dt.timedelta(days=40), "information_method": "both",
            "consent": True, "joint_visit_at": today - dt.timedelta(days=35),
            "living_place": "home",
            "enabled_acts": ["suivi-mensuel", "contention", "antalgique-palier-1", "canicule",
                             "risque-chute"],
            "act_limits": {"antalgique-palier-1": [
                "Paracétamol 1 g, jusqu'à 3 fois par jour, 5 jours au plus",
            ]},
        })
    if not inclusion.acts.exists():
        act = services.record_delegated_act(acting_user=claire, inclusion=inclusion, data={
            "act_code": "suivi-mensuel", "context": "monthly_visit",
            "performed_on": today - dt.timedelta(days=10), "location": "home",
            "findings": "TA 132/78, poids stable (61 kg), pas de chute ce mois-ci, "
                        "œdèmes des chevilles modérés.",
            "decision": "Évaluation globale sans modification",
            "decision_detail": "", "reprise_by_delegant": False, "adverse_event": False,
        })
        services.record_doctor_information(
            acting_user=claire, act=act, channel="mssante",
            informed_at=timezone.now() - dt.timedelta(days=9),
            information="Suivi mensuel sans particularité ; œdèmes des chevilles modérés à "
                        "surveiller.",
        )
        services.record_delegated_act(acting_user=claire, inclusion=inclusion, data={
            "act_code": "contention", "context": "intercurrent_event",
            "performed_on": today - dt.timedelta(days=3), "location": "home",
            "findings": "Appel de la fille : bas de contention usés, jambes lourdes.",
            "decision": "Contention renouvelée",
            "decision_detail": "Bas de contention classe 2, une paire, selon le plan de soins.",
            "reprise_by_delegant": False, "adverse_event": False,
        })
    if not inclusion.follow_up_visits.exists():
        services.plan_follow_up(acting_user=claire, inclusion=inclusion,
                                first_date=today + dt.timedelta(days=20), count=12,
                                window_start=dt.time(14, 0), window_end=dt.time(17, 0))
    return inclusion


def _asalee_inclusion(users: dict[str, User], today: dt.date) -> None:
    patient = _patient("Brun", "Thérèse")
    if patient is None or models.PatientInclusion.objects.filter(patient=patient).exists():
        return
    inclusion = services.record_consent(acting_user=users["marc"], patient=patient,
                                        protocol_id="asalee", data={
        "informed_at": today - dt.timedelta(days=60), "information_method": "oral",
        "consent": True, "living_place": "home", "asalee_file_number": "ASA-37-0042",
        "enabled_acts": ["asalee-diabete", "asalee-rcv", "asalee-education"],
    })
    services.record_delegated_act(acting_user=users["marc"], inclusion=inclusion, data={
        "act_code": "asalee-diabete", "context": "consultation",
        "performed_on": today - dt.timedelta(days=20), "location": "home",
        "findings": "HbA1c 7,4 % il y a 3 mois ; examen des pieds : sensibilité conservée.",
        "decision": "Examen des pieds réalisé et interprété", "decision_detail": "",
        "reprise_by_delegant": False, "adverse_event": False,
    })


def _convention(users: dict[str, User]) -> None:
    if models.ThirdPartyConvention.objects.filter(third_party_name="Télésuivi Val de Loire").exists():
        return
    services.save_convention(acting_user=users["nadia"], convention=None, data={
        "operator_name": "Centre de télésurveillance cardiaque de Tours",
        "operator_ars_ref": "ARS-CVL-TLS-2024-017",
        "operator_recepisse_at": dt.date(2024, 3, 4),
        "indication": "Insuffisance cardiaque chronique",
        "third_party_name": "Télésuivi Val de Loire", "third_party_siret": "73282932000074",
        "third_party_professionals": "Deux infirmières formées au pré-filtrage des alertes.",
        "activities": ["prefiltrage-alertes", "rappel-patient"],
        "convention_signed_at": dt.date(2024, 4, 1), "remote_only": True,
        "patient_information": "Notice remise à l'inclusion dans la télésurveillance.",
        "patients_informed_at": dt.date(2024, 4, 15), "named_in_ars_declaration": True,
        "ars_transmission_at": dt.date(2024, 4, 20),
    })


def seed(stdout=None) -> dict:
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(
        username__in=["claire", "marc", "sophie", "julie", "nadia"])}
    if len(users) < 5:
        return {}
    created = _adhesions(users)
    _assessments(users, today)
    inclusion = _vidal_inclusion(users, today)
    _asalee_inclusion(users, today)
    _convention(users)
    if stdout is not None:
        stdout.write(f"Coopération : {models.Adhesion.objects.count()} adhésions ({created} créées), "
                     f"{models.PatientInclusion.objects.count()} inclusions, "
                     f"{models.DelegatedAct.objects.count()} actes délégués.")
    return {"inclusion": inclusion}
