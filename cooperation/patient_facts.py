"""The facts the eligibility engine reads, gathered from the patient file, the nurse's
assessment (`PatientAssessment`) and the adhesions. What none of them says stays
unknown: an empty assessment field is never read as « non ».

- `birth_date`: the patient file.
- `mdph_handicap`: « oui » when the patient file records an MDPH recognition; otherwise
  the assessment (the file's unchecked box does not tell « non » from « not asked »).
- `has_bsi`: « oui » when the patient file records a BSI level, « non » when it reads
  « Aucun » and no assessment says otherwise.
- `iadl_modified_score`: derived from the IADL travel level (R-PAPH-18).
- `practice.coordinated_practice`: « oui » when the patient's médecin traitant has an
  active adhesion to a protocol in a coordinated structure (R-PAPH-1);
  `practice.asalee_member`: « oui » with an active ASALEE adhesion (R-ASA-8). Otherwise
  unknown.
"""

from __future__ import annotations

import datetime as dt

from . import catalogue
from .eligibility import Facts
from .models import COORDINATED_STRUCTURES, Adhesion, AdhesionStatus, PatientAssessment

ASSESSED_FACTS = (
    "mdph_handicap", "psychiatric_unstabilised", "needs_medical_follow_up",
    "doctor_home_visits_last_year", "refusal", "home_follow_up_impossible", "has_bsi",
    "polyhandicap", "diabetes_type2", "cardiovascular_risk", "smoker", "copd_risk",
    "cognitive_complaint",
)


def iadl_score(level: int | None) -> int | None:
    if level is None:
        return None
    for item in catalogue.iadl_levels():
        if item.level == level:
            return item.score
    return None


def active_adhesions(doctor, on: dt.date):
    if doctor is None:
        return Adhesion.objects.none()
    return Adhesion.objects.filter(
        doctor=doctor, status=AdhesionStatus.ACTIVE, declared_at__lte=on
    ).exclude(left_at__lt=on)


def active_adhesions_by_doctor(doctor_ids, on: dt.date) -> dict[int, list[Adhesion]]:
    """The active adhesions of many doctors in one query (a list of patients)."""
    by_doctor: dict[int, list[Adhesion]] = {doctor_id: [] for doctor_id in doctor_ids}
    rows = Adhesion.objects.filter(
        doctor_id__in=by_doctor, status=AdhesionStatus.ACTIVE, declared_at__lte=on
    ).exclude(left_at__lt=on)
    for adhesion in rows:
        by_doctor[adhesion.doctor_id].append(adhesion)
    return by_doctor


def practice_facts(patient, on: dt.date, adhesions: list[Adhesion] | None = None) -> dict:
    """`adhesions`: the médecin traitant's active adhesions on `on`, when the
    caller already has them (see `active_adhesions_by_doctor`)."""
    facts: dict = {}
    if adhesions is None:
        adhesions = list(active_adhesions(patient.medecin_traitant, on))
    if any(a.structure_kind in COORDINATED_STRUCTURES for a in adhesions):
        facts["coordinated_practice"] = True
    if any(a.protocol == "asalee" for a in adhesions):
        facts["asalee_member"] = True
    return facts


def assessment_of(patient) -> PatientAssessment | None:
    return PatientAssessment.objects.filter(patient=patient).first()


def patient_facts(patient, assessment: PatientAssessment | None = None) -> dict:
    facts: dict = {"birth_date": patient.birth_date}
    if assessment is not None:
        for name in ASSESSED_FACTS:
            value = getattr(assessment, name)
            if value is not None:
                facts[name] = value
        score = iadl_score(assessment.iadl_travel_level)
        if score is not None:
            facts["iadl_modified_score"] = score
    if patient.mdph_handicap:
        facts["mdph_handicap"] = True
    if patient.bsi_level:
        facts["has_bsi"] = True
    elif "has_bsi" not in facts:
        # The patient file's BSI level reads « Aucun »: a recorded answer, not
        # an unknown (issue 16); an assessment that says otherwise wins.
        facts["has_bsi"] = False
    return facts


_LOOK_UP = object()


def facts_for(patient, on: dt.date | None = None, assessment=_LOOK_UP,
              adhesions: list[Adhesion] | None = None) -> Facts:
    """`assessment` (None: the patient has none) and `adhesions` are looked up
    when not given; a list of patients passes them, read in one query each."""
    on = on or dt.date.today()
    if assessment is _LOOK_UP:
        assessment = assessment_of(patient)
    return Facts(date=on, practice=practice_facts(patient, on, adhesions),
                 patient=patient_facts(patient, assessment))


def snapshot(facts: Facts) -> dict:
    """JSON-able copy of the facts, for the inclusion record."""

    def plain(value):
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "date": facts.date.isoformat(),
        "practice": {k: plain(v) for k, v in facts.practice.items()},
        "patient": {k: plain(v) for k, v in facts.patient.items()},
    }
