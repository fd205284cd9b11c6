"""Writes of the cooperation app. Keyword-only, `acting_user` first, one transaction each,
the audit row written inside it (S-TRACE-2 keeps the previous values in the audit
detail). Refusals are `django.core.exceptions.ValidationError` with French messages,
keyed by form field when one is at fault; nothing is half-written.

Preconditions of a delegated act (R-COOP-3, R-COOP-8, R-PAPH-12, R-PAPH-21, R-PAPH-24):
the act is recorded by a nurse with an active adhesion to the protocol, with the
patient's médecin traitant as délégant, for a patient whose information and consent
are recorded, and the act is one the patient's plan enables; an act whose allowed items
come from the care plan prescribes only an item the délégant wrote there (R-PAPH-24).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone

from cabinet.models import Visit
from core.access import NURSES
from core.audit import record
from core.models import Role
from core.versioning import ConcurrentEditError

from . import catalogue
from .eligibility import Status, evaluate
from .models import (
    COORDINATED_STRUCTURES,
    Adhesion,
    AdhesionStatus,
    DelegatedAct,
    FollowUpVisit,
    InclusionStatus,
    PatientAssessment,
    PatientInclusion,
    ThirdPartyConvention,
)
from .patient_facts import facts_for, snapshot


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _apply(obj, data: dict) -> dict:
    """Set the fields of `data` on `obj`; return {field: [before, after]} for the audit."""
    changes = {}
    for name, value in data.items():
        try:
            before = getattr(obj, name)
        except ObjectDoesNotExist:  # a foreign key not set yet
            before = None
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(obj, name, value)
    return changes


def _check_version(obj, expected_version: int | None) -> None:
    """S-DATA-2: an edit made from a stale page, or from a page that does not
    say which version it showed, never overwrites a newer one."""
    if expected_version is None or obj.row_version != expected_version:
        raise ConcurrentEditError


def _new_or_locked(model, instance, *, acting_user, expected_version: int | None):
    """(record, created): a new one made by `acting_user`, or the stored one
    locked for this transaction and checked against the version the page
    showed (S-DATA-2)."""
    if instance is None:
        return model(created_by=acting_user), True
    instance = model.objects.select_for_update().get(pk=instance.pk)
    _check_version(instance, expected_version)
    return instance, False


def _require_nurse(user) -> None:
    if getattr(user, "role", None) not in NURSES:
        raise ValidationError("Seul(e) un(e) infirmier(ère) peut enregistrer cette information.")


# --- assessment ---------------------------------------------------------------------------


@transaction.atomic
def save_assessment(*, acting_user, patient, data: dict,
                    expected_version: int | None = None) -> PatientAssessment:
    """The nurse's assessment of the facts the patient file lacks (empty = unknown)."""
    _require_nurse(acting_user)
    assessment = PatientAssessment.objects.select_for_update().filter(patient=patient).first()
    created = assessment is None
    if created:
        assessment = PatientAssessment(patient=patient)
    else:
        _check_version(assessment, expected_version)
    changes = _apply(assessment, data)
    assessment.assessed_by = acting_user
    if not created:
        assessment.row_version += 1
    assessment.full_clean()
    assessment.save()
    record(actor=acting_user, action="cooperation.assessment." + ("create" if created else "update"),
           obj=assessment, patient_id=patient.pk, changes=changes)
    return assessment


# --- adhesions ----------------------------------------------------------------------------


def _validate_adhesion(adhesion: Adhesion) -> None:
    errors: dict[str, list[str]] = {}
    protocol = catalogue.get(adhesion.protocol)
    if protocol is None:
        errors["protocol"] = ["Protocole inconnu."]
    if adhesion.nurse_id and adhesion.nurse.role not in NURSES:
        errors["nurse"] = ["Le délégué doit être un(e) infirmier(ère)."]
    if protocol is not None and "practice.coordinated_practice" in protocol.facts() and (
        adhesion.structure_kind and adhesion.structure_kind not in COORDINATED_STRUCTURES
    ):
        errors["structure_kind"] = [
            "Ce protocole est réservé à l'exercice coordonné : MSP, centre de santé, ESP, CPTS "
            "ou SSIAD (R-PAPH-1, R-PAPH-2)."
        ]
    for prefix in Adhesion.MEMBER_PREFIX.values():
        hours, done = prefix + "training_hours", prefix + "training_completed_at"
        if getattr(adhesion, done) and getattr(adhesion, hours) is None:
            errors[hours] = ["Indiquez le nombre d'heures de la formation suivie."]
        if getattr(adhesion, hours) is not None and getattr(adhesion, hours) <= 0:
            errors[hours] = ["Le nombre d'heures doit être positif."]
    if adhesion.left_at and adhesion.declared_at and adhesion.left_at < adhesion.declared_at:
        errors["left_at"] = ["La fin de participation précède la déclaration."]
    if adhesion.status == AdhesionStatus.ACTIVE and protocol is not None:
        # R-COOP-7: declared; R-COOP-8: each member named by the protocol has signed the
        # engagement and the sworn statement; R-COOP-2: each role the protocol trains is
        # trained, before the implementation.
        required = {
            "declared_at": "La date de déclaration est obligatoire pour une adhésion active (R-COOP-7).",
        }
        for role in protocol.adhesion["members"]:
            prefix, who = Adhesion.MEMBER_PREFIX[role], Adhesion.MEMBER_LABEL[role]
            required[prefix + "engagement_signed_at"] = (
                f"L'accord d'engagement signé {who} est obligatoire (R-COOP-8).")
            required[prefix + "sworn_statement_at"] = (
                f"La déclaration sur l'honneur des compétences {who} est obligatoire (R-COOP-8).")
        for role in dict.fromkeys(t.role for t in protocol.training):
            prefix, who = Adhesion.MEMBER_PREFIX[role], Adhesion.MEMBER_LABEL[role]
            required[prefix + "training_completed_at"] = (
                f"La formation {who} doit être terminée (R-COOP-2).")
            required[prefix + "training_hours"] = (
                f"Indiquez les heures de formation {who} (R-COOP-2).")
        for name, message in required.items():
            if getattr(adhesion, name) in (None, ""):
                errors.setdefault(name, []).append(message)
        for prefix in Adhesion.MEMBER_PREFIX.values():
            done = getattr(adhesion, prefix + "training_completed_at")
            if done and adhesion.declared_at and done > adhesion.declared_at:
                errors.setdefault(prefix + "training_completed_at", []).append(
                    "La formation doit être terminée avant la mise en œuvre (R-COOP-2)."
                )
    if adhesion.status == AdhesionStatus.ENDED and not adhesion.left_at:
        errors["left_at"] = ["Indiquez la date de fin de participation."]
    if errors:
        raise ValidationError(errors)
    clash = Adhesion.objects.filter(
        protocol=adhesion.protocol, doctor_id=adhesion.doctor_id, nurse_id=adhesion.nurse_id
    ).exclude(status=AdhesionStatus.ENDED).exclude(pk=adhesion.pk)
    if adhesion.status != AdhesionStatus.ENDED and clash.exists():
        raise ValidationError(
            {"nurse": ["Cette équipe a déjà une adhésion en cours à ce protocole."]}
        )


@transaction.atomic
def save_adhesion(*, acting_user, adhesion: Adhesion | None, data: dict,
                  expected_version: int | None = None) -> Adhesion:
    adhesion, created = _new_or_locked(Adhesion, adhesion, acting_user=acting_user,
                                       expected_version=expected_version)
    if getattr(acting_user, "role", None) == Role.TITULAIRE:
        nurse = data.get("nurse", adhesion.nurse if not created else None)
        if nurse is None or nurse.pk != acting_user.pk:
            raise ValidationError(
                {"nurse": ["Une titulaire ne gère que ses propres adhésions."]}
            )
    changes = _apply(adhesion, data)
    _validate_adhesion(adhesion)
    if not created:
        adhesion.row_version += 1
    adhesion.save()
    record(actor=acting_user, action="cooperation.adhesion." + ("create" if created else "update"),
           obj=adhesion, changes=changes)
    return adhesion


def active_adhesion(*, protocol_id: str, doctor, nurse, on: dt.date) -> Adhesion | None:
    if doctor is None or nurse is None:
        return None
    for adhesion in Adhesion.objects.filter(
        protocol=protocol_id, doctor=doctor, nurse=nurse, status=AdhesionStatus.ACTIVE
    ):
        if adhesion.is_active_on(on):
            return adhesion
    return None


def _team_for(*, protocol, patient, nurse, on: dt.date) -> Adhesion:
    """R-COOP-8 and « a patient of an adhering doctor »: the nurse's active adhesion
    with the patient's médecin traitant."""
    doctor = patient.medecin_traitant
    if doctor is None:
        raise ValidationError(
            "Le patient n'a pas de médecin traitant : aucun médecin délégant possible."
        )
    adhesion = active_adhesion(protocol_id=protocol.id, doctor=doctor, nurse=nurse, on=on)
    if adhesion is None:
        raise ValidationError(
            f"Aucune adhésion active au protocole {protocol.short_title} entre {nurse} et "
            f"{doctor} (médecin traitant) au {on:%d/%m/%Y} (R-COOP-8)."
        )
    return adhesion


# --- inclusion: information and consent ---------------------------------------------------


def limits_field(code: str) -> str:
    """Form field holding what the délégant allows for act `code` (R-PAPH-24)."""
    return f"limits__{code}"


def _care_plan_limits(protocol, acts: list[str], given: dict) -> dict[str, list[str]]:
    """R-PAPH-24 (UNCERTAIN reading): an act whose allowed items come from the care plan
    is delegated only with the délégant's items written in it (molecule, dose, duration).
    The limits of acts not delegated are not kept."""
    limits: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for code in acts:
        act = protocol.act(code)
        items = [line.strip() for line in given.get(code) or [] if line and line.strip()]
        if act.allowed_items_from == "care_plan":
            if not items:
                errors[limits_field(code)] = [
                    f"« {act.label} » : écrivez ce que le médecin autorise (molécule, dose, "
                    "durée maximale), une ligne par prescription, ou décochez l'acte (R-PAPH-24)."
                ]
                continue
            if any(len(item) > 300 for item in items):
                errors[limits_field(code)] = ["300 caractères au plus par ligne."]
                continue
            limits[code] = list(dict.fromkeys(items))
    if errors:
        raise ValidationError(errors)
    return limits


@transaction.atomic
def record_consent(*, acting_user, patient, protocol_id: str, data: dict) -> PatientInclusion:
    """R-COOP-3: the patient is informed; the date, the way and any refusal are recorded.
    With consent, the patient is included if the engine says « eligible » on that date;
    a refusal is recorded as such (and is the R-PAPH-5 exclusion from then on)."""
    _require_nurse(acting_user)
    protocol = catalogue.get(protocol_id)
    if protocol is None:
        raise ValidationError("Protocole inconnu.")
    informed_at: dt.date = data["informed_at"]
    if informed_at > timezone.localdate():
        raise ValidationError({"informed_at": ["La date d'information ne peut pas être future."]})
    adhesion = _team_for(protocol=protocol, patient=patient, nurse=acting_user, on=informed_at)
    if PatientInclusion.objects.select_for_update().filter(
        patient=patient, protocol=protocol.id, status=InclusionStatus.INCLUDED
    ).exists():
        raise ValidationError("Ce patient est déjà inclus dans ce protocole.")
    facts = facts_for(patient, on=informed_at)
    result = evaluate(protocol, facts)
    consent = bool(data["consent"])
    if consent and result.status != Status.ELIGIBLE:
        if result.status == Status.INCOMPLETE:
            missing = ", ".join(catalogue.facts()[m].label for m in result.missing)
            raise ValidationError(
                f"Éligibilité incomplète : renseignez d'abord {missing} (évaluation du patient)."
            )
        failed = ", ".join(sorted({c.rule for c in result.criteria if c.result is False}))
        raise ValidationError(f"Patient non éligible au protocole ({failed}).")
    acts = [code for code in data.get("enabled_acts") or [] if protocol.act(code)]
    if consent and not acts:
        raise ValidationError(
            {"enabled_acts": ["Cochez au moins un acte délégué pour ce patient (R-PAPH-21)."]}
        )
    limits = _care_plan_limits(protocol, acts if consent else [], data.get("act_limits") or {})
    inclusion = PatientInclusion(
        patient=patient, protocol=protocol.id, adhesion=adhesion,
        status=InclusionStatus.INCLUDED if consent else InclusionStatus.REFUSED,
        informed_at=informed_at, information_method=data["information_method"],
        consent=consent, legal_representative=data.get("legal_representative", ""),
        consent_recorded_by=acting_user, joint_visit_at=data.get("joint_visit_at"),
        living_place=data.get("living_place") or "home", enabled_acts=acts if consent else [],
        act_limits=limits,
        # R-ASA-19: only an ASALEE inclusion carries an Asalée file number.
        asalee_file_number=data.get("asalee_file_number", "") if protocol.id == "asalee" else "",
        included_on=informed_at if consent else None,
        facts_snapshot={"facts": snapshot(facts), "result": result.as_json()},
    )
    inclusion.full_clean()
    inclusion.save()
    if not consent and "patient.refusal" in protocol.facts():
        assessment, _ = PatientAssessment.objects.get_or_create(patient=patient)
        if assessment.refusal is not True:
            assessment.refusal = True
            assessment.assessed_by = acting_user
            assessment.row_version += 1
            assessment.save()
    record(actor=acting_user, action="cooperation.consent", obj=inclusion, patient_id=patient.pk,
           protocol=protocol.id, consent=consent, status=result.status.value)
    return inclusion


@transaction.atomic
def exit_inclusion(*, acting_user, inclusion: PatientInclusion, exited_on: dt.date,
                   reason: str) -> PatientInclusion:
    _require_nurse(acting_user)
    inclusion = PatientInclusion.objects.select_for_update().get(pk=inclusion.pk)
    if inclusion.status != InclusionStatus.INCLUDED:
        raise ValidationError("Ce patient n'est pas inclus.")
    if not reason.strip():
        raise ValidationError({"reason": ["Indiquez le motif de sortie."]})
    if exited_on < inclusion.informed_at:
        raise ValidationError({"exited_on": ["La sortie précède l'inclusion."]})
    inclusion.status = InclusionStatus.EXITED
    inclusion.exited_on = exited_on
    inclusion.exit_reason = reason.strip()
    inclusion.save(update_fields=["status", "exited_on", "exit_reason"])
    # Planned follow-up visits after the exit are cancelled.
    Visit.objects.filter(
        cooperation_follow_up__inclusion=inclusion, date__gt=exited_on, status="planned"
    ).update(status="cancelled")
    record(actor=acting_user, action="cooperation.exit", obj=inclusion,
           patient_id=inclusion.patient_id, reason=inclusion.exit_reason)
    return inclusion


def _require_open(inclusion: PatientInclusion) -> None:
    if not (inclusion.status == InclusionStatus.INCLUDED and inclusion.consent):
        raise ValidationError(
            "L'information et le consentement du patient doivent être enregistrés avant "
            "tout acte délégué (R-COOP-3)."
        )


# --- delegated acts -----------------------------------------------------------------------


@transaction.atomic
def record_delegated_act(*, acting_user, inclusion: PatientInclusion, data: dict) -> DelegatedAct:
    _require_nurse(acting_user)
    inclusion = PatientInclusion.objects.select_for_update(of=("self",)).select_related(
        "patient", "patient__medecin_traitant"
    ).get(pk=inclusion.pk)
    _require_open(inclusion)
    protocol = inclusion.protocol_def
    if protocol is None:
        raise ValidationError("Protocole inconnu.")
    performed_on: dt.date = data["performed_on"]
    errors: dict[str, list[str]] = {}
    if performed_on > timezone.localdate():
        errors["performed_on"] = ["La date ne peut pas être future."]
    elif performed_on < inclusion.informed_at:
        errors["performed_on"] = ["L'acte précède l'information du patient (R-COOP-3)."]
    act = protocol.act(data["act_code"])
    if act is None:
        errors["act_code"] = ["Acte inconnu pour ce protocole."]
    elif act.code not in inclusion.enabled_acts:
        errors["act_code"] = [
            "Cet acte n'est pas délégué pour ce patient dans son plan de soins (R-PAPH-21)."
        ]
    elif data["decision"] not in act.decisions:
        errors["decision"] = ["Décision non prévue pour cet acte."]
    care_plan_item = ""
    if act is not None and act.allowed_items_from == "care_plan" and "act_code" not in errors:
        # R-PAPH-24 (UNCERTAIN): only what the délégant wrote into the care plan.
        allowed = inclusion.act_limits.get(act.code, [])
        care_plan_item = (data.get("care_plan_item") or "").strip()
        if not allowed:
            errors["act_code"] = [
                "Le plan de soins ne contient aucune prescription autorisée par le médecin pour "
                "cet acte : rappelez le médecin (R-PAPH-24)."
            ]
        elif care_plan_item not in allowed:
            errors["care_plan_item"] = [
                "Choisissez une prescription écrite par le médecin dans le plan de soins "
                "(R-PAPH-24)."
            ]
    if data.get("reprise_by_delegant") and not data.get("reprise_reason", "").strip():
        errors["reprise_reason"] = ["Indiquez le motif de la reprise par le médecin (R-PAPH-12)."]
    if data.get("adverse_event") and not data.get("adverse_event_description", "").strip():
        errors["adverse_event_description"] = ["Décrivez l'événement indésirable (R-PAPH-12)."]
    if not data.get("findings", "").strip():
        errors["findings"] = ["Indiquez les constatations."]
    if errors:
        raise ValidationError(errors)
    if inclusion.adhesion.doctor_id != getattr(inclusion.patient.medecin_traitant, "pk", None):
        raise ValidationError(
            "Le médecin délégant de l'inclusion n'est plus le médecin traitant du patient : "
            "une nouvelle inclusion est nécessaire."
        )
    adhesion = _team_for(protocol=protocol, patient=inclusion.patient, nurse=acting_user,
                         on=performed_on)
    visit = data.get("visit")
    if visit is not None and visit.patient_id != inclusion.patient_id:
        raise ValidationError({"visit": ["Cette visite concerne un autre patient."]})
    delegated = DelegatedAct(
        inclusion=inclusion, act_code=act.code, derogatory=act.derogatory,
        context=data.get("context") or act.trigger, performed_on=performed_on,
        nurse=acting_user, doctor=adhesion.doctor,
        location=data.get("location") or inclusion.living_place,
        findings=data["findings"].strip(), decision=data["decision"],
        decision_detail=data.get("decision_detail", ""), care_plan_item=care_plan_item,
        reprise_by_delegant=bool(data.get("reprise_by_delegant")),
        reprise_reason=data.get("reprise_reason", ""),
        adverse_event=bool(data.get("adverse_event")),
        adverse_event_description=data.get("adverse_event_description", ""),
        visit=visit, created_by=acting_user,
    )
    delegated.full_clean()
    delegated.save()
    record(actor=acting_user, action="cooperation.act", obj=delegated,
           patient_id=inclusion.patient_id, act=act.code, decision=delegated.decision)
    return delegated


@transaction.atomic
def record_doctor_information(*, acting_user, act: DelegatedAct, channel: str,
                              informed_at: dt.datetime, information: str) -> DelegatedAct:
    """R-PAPH-12 / doctor information: what was sent to the délégant, how and when."""
    _require_nurse(acting_user)
    act = DelegatedAct.objects.select_for_update().get(pk=act.pk)
    if informed_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"informed_at": ["La date d'envoi ne peut pas être future."]})
    if informed_at.date() < act.performed_on:
        raise ValidationError({"informed_at": ["L'envoi précède l'acte."]})
    if not information.strip():
        raise ValidationError({"information": ["Indiquez l'information transmise."]})
    before = [_plain(act.doctor_informed_at), act.doctor_informed_via]
    act.doctor_informed_via = channel
    act.doctor_informed_at = informed_at
    act.doctor_information = information.strip()
    act.full_clean()
    act.save(update_fields=["doctor_informed_via", "doctor_informed_at", "doctor_information"])
    record(actor=acting_user, action="cooperation.act.doctor_informed", obj=act,
           patient_id=act.inclusion.patient_id, before=before, channel=channel)
    return act


# --- monthly follow-up as visits of the tournées -------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


@transaction.atomic
def plan_follow_up(*, acting_user, inclusion: PatientInclusion, first_date: dt.date,
                   count: int, window_start: dt.time, window_end: dt.time) -> list[Visit]:
    """R-PAPH-7 / R-PAPH-22: monthly follow-up consultations, planned as visits of the
    nurse's tournées, on top of the usual care. The visits carry no NGAP act
    (R-PAPH-9: covered by the forfait)."""
    _require_nurse(acting_user)
    inclusion = PatientInclusion.objects.select_for_update(of=("self",)).select_related(
        "patient"
    ).get(pk=inclusion.pk)
    _require_open(inclusion)
    protocol = inclusion.protocol_def
    if protocol is None or protocol.follow_up is None:
        raise ValidationError("Ce protocole ne prévoit pas de suivi mensuel.")
    errors: dict[str, list[str]] = {}
    if first_date < timezone.localdate():
        errors["first_date"] = ["La première visite ne peut pas être dans le passé."]
    if not 1 <= count <= protocol.follow_up.nurse_visits_per_year:
        errors["count"] = [
            f"Entre 1 et {protocol.follow_up.nurse_visits_per_year} visites (R-PAPH-7)."
        ]
    if window_end <= window_start:
        errors["window_end"] = ["La fin de la plage doit suivre son début."]
    if errors:
        raise ValidationError(errors)
    _team_for(protocol=protocol, patient=inclusion.patient, nurse=acting_user, on=first_date)
    existing = inclusion.follow_up_visits.order_by("-sequence").first()
    sequence = existing.sequence if existing else 0
    taken = set(
        inclusion.follow_up_visits.filter(visit__status="planned").values_list(
            "visit__date", flat=True
        )
    )
    visits = []
    for i in range(count):
        day = _add_months(first_date, i * protocol.follow_up.interval_months)
        if day in taken:
            continue
        sequence += 1
        visit = Visit.objects.create(
            patient=inclusion.patient, nurse=acting_user, date=day,
            window_start=window_start, window_end=window_end,
            expected_duration_min=30, acts=[],
            note=f"Suivi mensuel {protocol.short_title} ({protocol.follow_up.rule}) — "
                 "hors nomenclature, couvert par le forfait.",
        )
        FollowUpVisit.objects.create(inclusion=inclusion, visit=visit, sequence=sequence)
        visits.append(visit)
    if not visits:
        raise ValidationError("Ces visites de suivi sont déjà prévues.")
    record(actor=acting_user, action="cooperation.follow_up.plan", obj=inclusion,
           patient_id=inclusion.patient_id, dates=[v.date.isoformat() for v in visits])
    return visits


# --- third-party conventions --------------------------------------------------------------


@transaction.atomic
def save_convention(*, acting_user, convention: ThirdPartyConvention | None, data: dict,
                    expected_version: int | None = None) -> ThirdPartyConvention:
    """R-TLS-6: only non-medical activities may be entrusted to a third party; R-TLS-7:
    the checklist (convention, remote only, patients informed, ARS) is recorded."""
    table = catalogue.delegation()
    medical = []
    for code in data.get("activities", []):
        activity = table.activity(code)
        if activity is None:
            raise ValidationError({"activities": [f"Activité inconnue « {code} »."]})
        if not table.rule_for(nature=activity.nature, delegate="third_party").allowed:
            medical.append(activity.label)
    if medical:
        raise ValidationError({"activities": [
            "Activité médicale : elle ne peut être confiée qu'à un professionnel de santé dans "
            f"le cadre d'un protocole de coopération (R-TLS-6) : {', '.join(medical)}."
        ]})
    if not data.get("activities"):
        raise ValidationError({"activities": ["Cochez au moins une activité confiée."]})
    convention, created = _new_or_locked(ThirdPartyConvention, convention,
                                         acting_user=acting_user,
                                         expected_version=expected_version)
    changes = _apply(convention, data)
    if convention.ars_transmission_at and not convention.named_in_ars_declaration:
        raise ValidationError({"named_in_ars_declaration": [
            "Le tiers doit être nommé dans la déclaration transmise à l'ARS (R-TLS-7)."
        ]})
    if not created:
        convention.row_version += 1
    convention.full_clean()
    convention.save()
    record(actor=acting_user, action="cooperation.convention." + ("create" if created else "update"),
           obj=convention, changes=changes)
    return convention
