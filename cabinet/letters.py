"""Letters the cabinet app produces through the documents pipeline
(registered from `CabinetConfig.ready()`):

- "demande de renouvellement d'ordonnance", to the prescriber, from the
  renewal worklist;
- "demande de protocole de soins" (ALD near its end, or procédure
  dérogatoire whose standard protocol is due), to the médecin traitant;
- "renouvellement du BSI" (the yearly bilan de soins infirmiers is due), to
  the médecin traitant, from the same worklist;
- "lettre d'information aux patients" (continuity of care during a
  remplacement), one per patient, batch-capable: a titulaire prints one for
  each of the patients she is the referent nurse of; it names her
  remplaçant(e) and the dates when a contract says who and when (looked up
  through `register_replacement_lookup`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.models import Role
from documents.registry import DocumentKind, UnknownKind, get, register

from .models.patients import patient_id_of

RENEWAL_KIND = "cabinet_renouvellement_ordonnance"
ALD_KIND = "cabinet_protocole_ald"
PATIENT_LETTER_KIND = "cabinet_information_patient"
BSI_KIND = "cabinet_renouvellement_bsi"
TEMPLATE = "documents/pdf/generic_letter.html"


def registered(code: str) -> bool:
    try:
        get(code)
    except UnknownKind:
        return False
    return True


def _coefficient(value) -> str:
    return format(value.normalize(), "f").replace(".", ",") if value is not None else ""


def _signature(patient) -> str:
    """The patient's référent nurse signs (issue 16: not « L'équipe »), with her
    RPPS number when known; the team only when the patient has no référent."""
    nurse = patient.referent_nurse
    if nurse is None:
        return "L'équipe infirmière du cabinet"
    name = nurse.get_full_name() or nurse.username
    return f"{name}, infirmier(ère)" + (f" — RPPS {nurse.rpps}" if nurse.rpps else "")


def _to_doctor(medecin, *, subject: str, paragraphs: list[str], signature: str,
               **reference) -> dict:
    """A letter of the nurses to a doctor (the médecin traitant when the
    doctor is unknown), signed by the patient's nurse; `reference` names the
    object it is about."""
    if medecin is None:
        recipient = {"name": "Médecin traitant", "lines": []}
    else:
        address = (medecin.address, f"{medecin.postcode} {medecin.city}".strip())
        recipient = {"name": f"Dr {medecin.first_name} {medecin.last_name}",
                     "lines": [line for line in address if line.strip()]}
    return {
        "date": timezone.localdate(),
        "recipient": recipient,
        "subject": subject,
        "greeting": "Docteur,",
        "paragraphs": paragraphs,
        "closing": "Avec nos remerciements, veuillez agréer, Docteur, nos salutations distinguées.",
        "signature": signature,
        **reference,
    }


def renewal_context(prescription) -> dict:
    from .models import Visit
    from .models.visits import VisitStatus

    medecin = prescription.prescriber
    patient = prescription.patient
    last = (
        Visit.objects.filter(care_plan__prescription=prescription, status=VisitStatus.PLANNED)
        .order_by("-date").values_list("date", flat=True).first()
    )
    acts = [
        f"{a.key} {_coefficient(a.coefficient)}".strip() + f" — {a.label}"
        + (f" ({a.frequency})" if a.frequency else "")
        for a in prescription.acts.all()
    ]
    paragraphs = [
        f"Les soins infirmiers que vous avez prescrits le {prescription.date:%d/%m/%Y} à "
        f"{patient.civility} {patient.last_name.upper()} {patient.first_name}, "
        f"{patient.born_on_text}, se terminent le {prescription.end_date:%d/%m/%Y}.",
        "Les soins restent nécessaires" + (f" (passages prévus jusqu'au {last:%d/%m/%Y})"
                                           if last else "")
        + " : pourriez-vous établir une nouvelle ordonnance pour les actes suivants ?",
        *acts,
    ]
    if prescription.bizone:
        paragraphs.append("Le patient étant en ALD, merci d'utiliser une ordonnance bizone et de "
                          "placer en zone haute les soins en rapport avec l'affection.")
    return _to_doctor(
        medecin, paragraphs=paragraphs, prescription=prescription.pk,
        signature=_signature(patient),
        subject=f"Demande de renouvellement d'ordonnance — {patient.last_name.upper()} "
                f"{patient.first_name}",
    )


def ald_context(ald) -> dict:
    patient = ald.patient
    medecin = patient.medecin_traitant or ald.established_by
    status = ald.status
    if ald.procedure == "derogatoire" and ald.valid_to:
        ask = (f"La prise en charge à 100 % a été ouverte en procédure dérogatoire jusqu'au "
               f"{ald.valid_to:%d/%m/%Y} : pourriez-vous établir le protocole de soins "
               "définitif avant cette date ?")
    elif ald.valid_to:
        ask = (f"L'exonération se termine le {ald.valid_to:%d/%m/%Y} : pourriez-vous établir "
               "le renouvellement du protocole de soins ?")
    else:
        ask = "Pourriez-vous établir le protocole de soins et nous en transmettre le volet ?"
    return _to_doctor(
        medecin, ald=ald.pk, signature=_signature(patient),
        subject=f"Protocole de soins ALD {ald.ald_number} — {patient.last_name.upper()} "
                f"{patient.first_name}",
        paragraphs=[
            f"Nous assurons les soins infirmiers de {patient.first_name} "
            f"{patient.last_name.upper()}, {patient.born_on_text}, en rapport "
            f"avec l'ALD {ald.ald_number} ({ald.label}).",
            f"État du protocole au {timezone.localdate():%d/%m/%Y} : {status.label.lower()}.",
            ask,
        ],
    )


def bsi_context(patient) -> dict:
    from .services.worklist import bsi_due_on

    medecin = patient.medecin_traitant
    due = bsi_due_on(patient.bsi_date) if patient.bsi_date else None
    paragraphs = [
        f"Nous assurons les soins infirmiers à domicile de {patient.civility} "
        f"{patient.last_name.upper()} {patient.first_name}, {patient.born_on_text}, "
        f"en situation de dépendance "
        f"({patient.get_bsi_level_display() or 'BSI'}).",
    ]
    if patient.bsi_date and due:
        paragraphs.append(
            f"Le bilan de soins infirmiers (BSI) établi le {patient.bsi_date:%d/%m/%Y} est à "
            f"renouveler avant le {due:%d/%m/%Y}."
        )
    paragraphs.append(
        "Pourriez-vous établir une prescription de soins infirmiers à domicile permettant la "
        "réalisation du BSI de renouvellement ? Nous vous transmettrons le bilan une fois établi."
    )
    return _to_doctor(
        medecin, paragraphs=paragraphs, patient=patient.pk, signature=_signature(patient),
        subject=f"Renouvellement du BSI — {patient.last_name.upper()} {patient.first_name}",
    )


@dataclass(frozen=True)
class Replacement:
    """A replacement of a nurse as a letter announces it."""

    remplacant: str
    start: date
    end: date


# Who replaces a nurse, and when: contracts belong to the replacements app,
# which cabinet does not import; it registers the lookup from its
# AppConfig.ready(). (nurse, today) → her current or next replacement.
_replacement_lookup: Callable[[object, date], Replacement | None] | None = None


def register_replacement_lookup(lookup: Callable[[object, date], Replacement | None]) -> None:
    global _replacement_lookup
    _replacement_lookup = lookup


def replacement_of(nurse, today: date) -> Replacement | None:
    if nurse is None or _replacement_lookup is None:
        return None
    return _replacement_lookup(nurse, today)


def patient_letter_context(patient) -> dict:
    nurse = patient.referent_nurse
    name = nurse.get_full_name() if nurse else "votre infirmier(ère)"
    civility = patient.civility
    today = timezone.localdate()
    replacement = replacement_of(nurse, today)
    if replacement is None:
        who = ("vos soins continuent d'être assurés aux mêmes horaires par un(e) infirmier(ère) "
               "remplaçant(e) diplômé(e), autorisé(e) par l'Ordre des infirmiers, ou par un(e) "
               "autre infirmier(ère) du cabinet.")
        first = f"Pendant les absences de {name}, {who}"
    else:
        # The contract names the remplaçant(e) and the dates (R-REPL-34).
        first = (f"Du {replacement.start:%d/%m/%Y} au {replacement.end:%d/%m/%Y}, {name} sera "
                 f"absent(e) : {replacement.remplacant}, infirmier(ère) remplaçant(e) diplômé(e) "
                 "d'État, autorisé(e) par l'Ordre des infirmiers, assurera vos soins à sa place, "
                 "aux mêmes horaires.")
    return {
        "date": timezone.localdate(),
        "recipient": {"name": f"{civility} {patient.first_name} {patient.last_name.upper()}",
                      "lines": [line for line in (patient.address, patient.address_complement,
                                                  f"{patient.postcode} {patient.city}") if line]},
        "subject": "Continuité de vos soins infirmiers",
        "greeting": f"{civility},",
        "paragraphs": [
            first,
            "La personne qui vous soigne a accès à votre dossier de soins pour la durée du "
            "remplacement seulement ; chaque consultation du dossier est enregistrée.",
            "Pour toute question, vous pouvez joindre le cabinet aux coordonnées ci-dessus.",
        ],
        "closing": f"Nous vous prions d'agréer, {civility}, nos salutations distinguées.",
        "signature": name,
        "remplacant": replacement.remplacant if replacement else "",
        "replacement_start": replacement.start if replacement else None,
        "replacement_end": replacement.end if replacement else None,
    }


def _visible(user, model_qs, pk) -> bool:
    return model_qs.filter(pk=pk).exists()


def can_view_prescription(user, prescription) -> bool:
    from .selectors.patients import prescriptions_visible_to

    return _visible(user, prescriptions_visible_to(user), prescription.pk)


def can_view_ald(user, ald) -> bool:
    from .selectors.patients import alds_visible_to

    return _visible(user, alds_visible_to(user), ald.pk)


def can_view_patient(user, patient) -> bool:
    from .selectors.patients import patients_visible_to

    return _visible(user, patients_visible_to(user), patient.pk)


def my_patients(user):
    """Batch: the active patients a titulaire is the referent nurse of."""
    from .models import Patient

    if getattr(user, "role", None) != Role.TITULAIRE:
        return []
    return list(Patient.objects.filter(referent_nurse=user, is_active=True)
                .order_by("last_name", "first_name", "pk"))


def _demo_bsi_patient():
    from .models import Patient

    return Patient.objects.exclude(bsi_level="").filter(bsi_date__isnull=False).order_by(
        "pk").first()


def _demo(model_name: str):
    """The demo object `render_demo_documents` renders for a kind: the first
    row of the demo cabinet, so the output is the same on every machine."""

    def first():
        from django.apps import apps

        return apps.get_model("cabinet", model_name).objects.order_by("pk").first()

    return first


# One row per letter; all are the generic letter template, version 1.
KINDS = (
    dict(code=RENEWAL_KIND, label="Demande de renouvellement d'ordonnance",
         model="cabinet.Prescription", build_context=renewal_context,
         can_view=can_view_prescription, demo_object=_demo("Prescription"),
         filename=lambda data: f"renouvellement-ordonnance-{data['prescription']}.pdf"),
    dict(code=ALD_KIND, label="Demande de protocole de soins (ALD)", model="cabinet.Ald",
         build_context=ald_context, can_view=can_view_ald, demo_object=_demo("Ald"),
         filename=lambda data: f"protocole-ald-{data['ald']}.pdf"),
    dict(code=BSI_KIND, label="Demande de renouvellement du BSI", model="cabinet.Patient",
         build_context=bsi_context, can_view=can_view_patient, demo_object=_demo_bsi_patient,
         filename=lambda data: f"renouvellement-bsi-{data['patient']}.pdf"),
    dict(code=PATIENT_LETTER_KIND, label="Lettre d'information aux patients",
         model="cabinet.Patient", build_context=patient_letter_context,
         can_view=can_view_patient, demo_object=_demo("Patient"), batch_objects=my_patients,
         batch_label="Lettres d'information à mes patients (remplacement)"),
)


def register_kinds() -> None:
    for kind in KINDS:
        register(DocumentKind(template=TEMPLATE, version="1", patient_id=patient_id_of, **kind),
                 replace=True)
