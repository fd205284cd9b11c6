"""The letters of the cooperation app, produced by the documents pipeline:

- `cooperation_information_consentement`: the patient information and consent letter
  for a protocol (R-COOP-3, R-TLS-5), about a `PatientInclusion`;
- `cooperation_compte_rendu_medecin`: the report of a delegated act to the délégant
  (R-PAPH-12), about a `DelegatedAct`.

Both are registered from `CooperationConfig.ready()`. Only the nurses who see the patient
may view or ask for them (S-AUTHZ-1).
"""

from __future__ import annotations

from . import selectors
from .models import DelegatedAct, PatientInclusion

INFORMATION_LETTER = "cooperation_information_consentement"
DOCTOR_REPORT = "cooperation_compte_rendu_medecin"


def _doctor_lines(doctor) -> list[str]:
    lines = []
    if doctor.address:
        lines.append(doctor.address)
    if doctor.postcode or doctor.city:
        lines.append(f"{doctor.postcode} {doctor.city}".strip())
    return lines


def information_letter_context(inclusion: PatientInclusion) -> dict:
    protocol = inclusion.protocol_def
    patient = inclusion.patient
    adhesion = inclusion.adhesion
    acts = [a.label for a in inclusion.enabled_act_defs()]
    paragraphs = [
        f"Votre médecin traitant, {adhesion.doctor}, et votre infirmier(ère), "
        f"{adhesion.nurse.get_full_name()}, travaillent ensemble dans le cadre du protocole de "
        f"coopération « {protocol.title} » ({protocol.legal_ref}).",
        "Dans ce cadre, votre médecin délègue à votre infirmier(ère) certains actes de suivi "
        "qu'il réalise habituellement. Votre médecin reste responsable de la décision de vous "
        "inclure ; l'infirmier(ère) est responsable des actes qu'il ou elle réalise.",
    ]
    if acts:
        paragraphs.append("Actes délégués vous concernant : " + " ; ".join(acts) + ".")
    if protocol.follow_up:
        paragraphs.append(
            f"Vous recevrez une visite de suivi par mois à domicile, en plus de vos soins "
            f"habituels, et votre médecin vous verra au moins "
            f"{protocol.follow_up.doctor_visits_per_year} fois par an."
        )
    if not protocol.billable_ngap:
        paragraphs.append("Ce suivi est gratuit pour vous : rien à payer ni à avancer.")
    paragraphs += [
        "Votre médecin est informé après chaque acte. Toute situation qui sort du cadre du "
        "protocole lui est confiée.",
        "Vous êtes libre d'accepter ou de refuser cette prise en charge, et de revenir sur "
        "votre décision à tout moment, sans conséquence sur vos soins habituels.",
        f"Vous avez été informé(e) le {inclusion.informed_at:%d/%m/%Y} "
        f"({inclusion.get_information_method_display().lower()}). Votre réponse : "
        + ("vous acceptez cette prise en charge." if inclusion.consent
           else "vous refusez cette prise en charge."),
    ]
    if inclusion.legal_representative:
        paragraphs.append(f"Représentant légal : {inclusion.legal_representative}.")
    return {
        "recipient": {
            "name": f"{patient.first_name} {patient.last_name.upper()}",
            "lines": [patient.address, f"{patient.postcode} {patient.city}"],
        },
        "subject": f"Information et consentement — protocole {protocol.short_title}",
        "greeting": "Madame, Monsieur,",
        "paragraphs": paragraphs,
        "closing": "Signature du patient (ou de son représentant) :",
        "signature": f"{adhesion.nurse.get_full_name()}, infirmier(ère) délégué(e)",
        "date": inclusion.informed_at,
        "patient_name": f"{patient.last_name}-{patient.first_name}",
    }


def doctor_report_context(act: DelegatedAct) -> dict:
    inclusion = act.inclusion
    patient = inclusion.patient
    protocol = inclusion.protocol_def
    rows = [
        ["Patient", f"{patient.last_name.upper()} {patient.first_name}, {patient.born_on_text}"],
        ["Protocole", protocol.short_title if protocol else inclusion.protocol],
        ["Acte", act.act_label],
        ["Date", f"{act.performed_on:%d/%m/%Y} ({act.get_context_display().lower()}, "
                 f"{act.get_location_display().lower()})"],
        ["Infirmier(ère)", act.nurse.get_full_name()
         + (f" (RPPS {act.nurse.rpps})" if act.nurse.rpps else "")],
        ["Constatations", act.findings],
        ["Décision", act.decision + (f" — {act.decision_detail}" if act.decision_detail else "")],
        *([["Prescription du plan de soins", act.care_plan_item]] if act.care_plan_item else []),
        ["Reprise par le médecin", f"demandée : {act.reprise_reason}"
         if act.reprise_by_delegant else "non"],
        ["Événement indésirable", act.adverse_event_description if act.adverse_event else "non"],
    ]
    return {
        "recipient": {"name": str(act.doctor), "lines": _doctor_lines(act.doctor)},
        "subject": f"Compte rendu d'acte délégué — {patient.last_name.upper()} "
                   f"{patient.first_name}",
        "greeting": "Docteur,",
        "paragraphs": [
            "Dans le cadre du protocole de coopération qui nous lie, voici le compte rendu de "
            "l'acte que j'ai réalisé par délégation pour notre patient(e) commun(e).",
        ],
        "table": {"columns": ["Rubrique", "Détail"], "rows": rows, "amount_columns": [],
                  "total": None},
        "closing": "Je reste à votre disposition pour tout complément.",
        "signature": act.nurse.get_full_name(),
        "date": act.performed_on,
        "patient_name": f"{patient.last_name}-{patient.first_name}",
        "act_date": act.performed_on,
    }


def can_view_inclusion(user, inclusion: PatientInclusion) -> bool:
    return selectors.can_see_clinical(user) and selectors.inclusions_visible_to(user).filter(
        pk=inclusion.pk).exists()


def can_view_act(user, act: DelegatedAct) -> bool:
    return selectors.acts_visible_to(user).filter(pk=act.pk).exists()


# Both letters are set in the shared letter layout of the documents app.
LETTER_TEMPLATE = "documents/pdf/generic_letter.html"


def kinds():
    from documents.registry import DocumentKind, filename_part

    return [
        DocumentKind(
            code=INFORMATION_LETTER,
            label="Lettre d'information et de consentement (protocole de coopération)",
            model="cooperation.PatientInclusion", template=LETTER_TEMPLATE, version="1",
            build_context=information_letter_context, can_view=can_view_inclusion,
            patient_id=lambda inclusion: inclusion.patient_id,
            filename=lambda data: f"information-consentement-{filename_part(data['patient_name'])}.pdf",
            demo_object=lambda: PatientInclusion.objects.order_by("pk").first(),
        ),
        DocumentKind(
            code=DOCTOR_REPORT, label="Compte rendu d'acte délégué au médecin",
            model="cooperation.DelegatedAct", template=LETTER_TEMPLATE, version="1",
            build_context=doctor_report_context, can_view=can_view_act,
            patient_id=lambda act: act.inclusion.patient_id,
            filename=lambda data: (
                f"compte-rendu-{filename_part(data['patient_name'])}-{data['act_date']:%Y%m%d}.pdf"
            ),
            demo_object=lambda: DelegatedAct.objects.order_by("pk").first(),
        ),
    ]
