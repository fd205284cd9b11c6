"""The PDFs of the replacements app, produced by the documents pipeline (a request never
waits for them):

- `remplacement_contrat`: the contract (or avenant) with every clause (R-REPL-34), in three
  copies (R-REPL-32);
- `remplacement_dossier_transmission`: the pack for the CDOI and the CPAM: the contract and
  the remplaçant's authorisation details (R-REPL-21, R-REPL-29);
- `remplacement_releve`: the monthly rétrocession statement (R-RETRO-1…6, R-FISC-*);
- `remplacement_information_patient`: the letter telling a patient who replaces the nurse.

The cabinet's own information letter (batch of a titulaire's patients) reads her current or
next replacement through `replacement_lookup`, registered with `cabinet.letters`.

Registered from `ReplacementsConfig.ready()`.
"""

from __future__ import annotations

from django.utils import timezone

from . import retrocession as retro
from . import rules, selectors, statements
from .models import Contract, MonthlyStatement, PatientNotice

CONTRACT = "remplacement_contrat"
TRANSMISSION = "remplacement_dossier_transmission"
STATEMENT = "remplacement_releve"
PATIENT_LETTER = "remplacement_information_patient"

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def month_label(day) -> str:
    return f"{MONTHS_FR[day.month - 1]} {day.year}"


def _person(user) -> str:
    return user.get_full_name() or user.username


def _euros(value) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €"


def contract_context(contract: Contract) -> dict:
    profile = selectors.profile_of(contract.remplacant)
    status = selectors.titulaire_status(contract.titulaire)
    autorisations = list(profile.autorisations.all()) if profile.pk else []
    period = contract.period
    current = [a for a in autorisations if a.valid_from <= period.end and a.valid_to >= period.start]
    terms = contract.terms()
    clauses = [
        ("Parties", f"{_person(contract.titulaire)}, infirmier(ère) titulaire (RPPS "
                    f"{contract.titulaire.rpps or 'non renseigné'}), remplacé(e) ; "
                    f"{_person(contract.remplacant)}, infirmier(ère) remplaçant(e) (RPPS "
                    f"{contract.remplacant.rpps or 'non renseigné'}, Ordre n° "
                    f"{profile.ordre_number or 'non renseigné'}"
                    + (f", autorisation de remplacement n° {current[0].number} délivrée par "
                       f"{current[0].issuing_cdoi or current[0].get_issuer_display()}" if current else "")
                    + ")."),
        ("Objet et motif", f"Remplacement temporaire du titulaire pendant son indisponibilité : "
                           f"{contract.motif}. Pendant le remplacement, le titulaire s'abstient de "
                           "toute activité professionnelle (CSP R.4312-84)."),
        ("Période", f"Du {timezone.localtime(contract.start_at):%d/%m/%Y à %H:%M} au "
                    f"{timezone.localtime(contract.end_at):%d/%m/%Y à %H:%M}"
                    + (" (remplacement répété)" if contract.is_repeated else "") + "."),
        ("Lieu d'exercice", contract.get_place_display()
         + (f" — {contract.place_details}" if contract.place_details else "") + "."),
        ("Moyens mis à disposition", (contract.means_text() or "aucun") + "."),
        ("Facturation", "Les actes sont facturés sous l'identité du titulaire, en mentionnant le "
                        "nom du remplaçant et sa qualité ; le remplaçant utilise sa carte CPS "
                        "remplaçant (R-REPL-40)."),
        ("Rétrocession", f"Le titulaire encaisse les honoraires et reverse au remplaçant les "
                         f"honoraires des actes qu'il a réalisés, déduction faite d'une part de "
                         f"{contract.cabinet_share_percent} % sur les honoraires de soins et de "
                         f"{terms.travel_share} % sur les indemnités de déplacement (IFD/IK)"
                         + (f", plafonnée à {_euros(contract.monthly_cap)} par mois"
                            if contract.monthly_cap is not None else "")
                         + f". Assiette : {contract.get_basis_display().lower()}. Impayés et rejets "
                           f"à la charge de : {contract.get_bad_debt_borne_by_display().lower()}."),
        ("Paiement", f"{contract.get_payment_method_display()}, {contract.payment_schedule}."),
        ("Charges du cabinet", "La part conservée par le titulaire correspond aux charges du "
                               "cabinet" + (", justifiées par des pièces comptables sur demande."
                                            if contract.cabinet_costs_justification_required else ".")),
        ("Non-concurrence", (contract.non_compete_text or "Clause contractuelle") +
         (f" (rayon de {contract.non_compete_radius_km} km, pendant {contract.non_compete_months} mois)"
          if contract.non_compete_clause else "")
         + ". Au-delà de 3 mois de remplacement, consécutifs ou non, l'article R.4312-87 du CSP "
           "s'applique pendant 2 ans."
         if contract.non_compete_clause else
         "Aucune clause contractuelle ; au-delà de 3 mois de remplacement, consécutifs ou non, "
         "l'article R.4312-87 du CSP interdit pendant 2 ans une installation en concurrence "
         "directe, sauf accord notifié au conseil départemental de l'Ordre."),
        ("Résiliation anticipée", f"{contract.early_termination_terms} Préavis : {contract.notice_days} jours."),
        ("Coordination", contract.coordination or "—"),
        ("Fin de mission", "À la fin du remplacement, le remplaçant cesse toute activité auprès "
                           "des patients du titulaire (CSP R.4312-87)."),
        ("Transmission", "Le contrat est communiqué par chacune des parties au conseil "
                         "départemental de l'Ordre où elle est inscrite, et déposé avec "
                         "l'autorisation de remplacement à la CPAM du lieu d'exercice du titulaire."),
    ]
    if status.practice_form != "individuel":
        clauses.append(("Information", f"Le titulaire informe {status.practice_entity or 'son association ou sa société'} "
                                       "du remplacement (CSP R.4312-84)."))
    return {
        "title": ("Avenant" if contract.parent_id else "Contrat") + " de remplacement",
        "number": contract.number,
        "parent": contract.parent.number if contract.parent_id else "",
        "status": contract.get_status_display(),
        "clauses": [{"title": t, "text": x} for t, x in clauses],
        "copies": list(rules.SIGNED_COPIES),
        "titulaire": _person(contract.titulaire),
        "remplacant": _person(contract.remplacant),
        "signed_titulaire": contract.signed_by_titulaire_at,
        "signed_remplacant": contract.signed_by_remplacant_at,
        "sworn": contract.sworn_titulaire and contract.sworn_remplacant,
    }


def transmission_context(contract: Contract) -> dict:
    data = contract_context(contract)
    profile = selectors.profile_of(contract.remplacant)
    status = selectors.titulaire_status(contract.titulaire)
    data["title"] = "Dossier de transmission — " + data["title"].lower()
    data["recipients"] = [
        f"Conseil départemental de l'Ordre du titulaire : {status.cdoi or 'à préciser'}",
        f"Conseil départemental de l'Ordre du remplaçant : {profile.ordre_cdoi or 'à préciser'}",
        f"CPAM du lieu d'exercice du titulaire : {status.cpam or 'à préciser'}",
    ]
    data["autorisations"] = [
        {"number": a.number, "issuer": a.issuing_cdoi or a.get_issuer_display(),
         "issued_on": a.issued_on, "valid_from": a.valid_from, "valid_to": a.valid_to}
        for a in (profile.autorisations.all() if profile.pk else [])
    ]
    data["diploma"] = profile.diploma_date
    data["ordre_number"] = profile.ordre_number
    data["rpps"] = contract.remplacant.rpps
    data["cpam_attestation"] = profile.cpam_attestation_on
    return data


def statement_context(statement: MonthlyStatement) -> dict:
    contract = statement.contract
    start, end = statements.month_bounds(statement.month.year, statement.month.month)
    st = statements.contract_statement(contract, start, end)
    ytd = statements.year_to_date(contract.remplacant_id, start.year, end)
    t = st.totals
    return {
        "title": f"Relevé de rétrocession — {month_label(statement.month)}",
        "number": contract.number,
        "month": statement.month,
        "titulaire": _person(contract.titulaire),
        "remplacant": _person(contract.remplacant),
        "share": contract.cabinet_share_percent,
        "travel_share": contract.terms().travel_share,
        "cap": contract.monthly_cap,
        "basis": st.basis_note,
        "days": [[d["date"], d["patients"], d["seances"], d["fees"], d["travel"]] for d in st.by_day()],
        "patients": [[p["patient"], p["days"], p["seances"], p["fees"], p["travel"]] for p in st.by_patient()],
        "fees": t.fees, "travel": t.travel, "retained": t.retained, "capped": t.capped,
        "retrocession": t.retrocession,
        "payments": [[p.paid_on, p.get_method_display(), p.reference, p.amount] for p in st.payments],
        "paid": st.paid, "balance": st.balance,
        "ytd": ytd.received, "threshold": ytd.threshold, "threshold_text": ytd.threshold_text,
        "notes": [text for _rule, text in retro.TAX_NOTES],
        "vat_on_retained": retro.vat_applies_to_retained(contract.occasional, t.retained),
    }


def patient_letter_context(notice: PatientNotice) -> dict:
    contract, patient = notice.contract, notice.patient
    start, end = statements.contract_span(contract)
    return {
        "recipient": {"name": f"{patient.first_name} {patient.last_name.upper()}",
                      "lines": [patient.address, f"{patient.postcode} {patient.city}"]},
        "subject": "Remplacement de votre infirmier(ère)",
        "greeting": "Madame, Monsieur,",
        "paragraphs": [
            f"Du {start:%d/%m/%Y} au {end:%d/%m/%Y}, {_person(contract.titulaire)} sera absent(e). "
            f"Pour que vos soins continuent sans interruption, {_person(contract.remplacant)}, "
            "infirmier(ère) diplômé(e) d'État, assurera vos soins à sa place, aux mêmes horaires "
            "et dans les mêmes conditions.",
            f"Vos soins restent facturés au nom de {_person(contract.titulaire)} : vous n'avez "
            "aucune démarche à faire. Vous restez libre de choisir votre infirmier(ère).",
            "Pour toute question, le cabinet reste joignable aux coordonnées ci-dessus.",
        ],
        "closing": "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
        "signature": _person(contract.titulaire),
        "patient_name": f"{patient.last_name}-{patient.first_name}",
    }


def replacement_lookup(nurse, today):
    """For the cabinet's information letter (`cabinet.letters`): the nurse's
    current replacement, else her next one, as her live contracts say."""
    from cabinet.letters import Replacement

    contracts = list(Contract.objects.filter(titulaire=nurse, status__in=selectors.LIVE)
                     .select_related("remplacant").order_by("start_at", "pk"))
    contract = (selectors.current_contract(contracts, today)
                or selectors.next_contract(contracts, today))
    if contract is None:
        return None
    start, end = statements.contract_span(contract)
    return Replacement(remplacant=_person(contract.remplacant), start=start, end=end)


# --- access -------------------------------------------------------------------------------


def can_view_contract(user, contract: Contract) -> bool:
    return selectors.contracts_visible_to(user).filter(pk=contract.pk).exists()


def can_view_statement(user, statement: MonthlyStatement) -> bool:
    return selectors.contracts_visible_to(user).filter(pk=statement.contract_id).exists()


def can_view_notice(user, notice: PatientNotice) -> bool:
    return selectors.contracts_visible_to(user).filter(pk=notice.contract_id).exists() and \
        getattr(user, "role", None) != "remplacant"


def kinds():
    from documents.registry import DocumentKind, filename_part

    return [
        DocumentKind(
            code=CONTRACT, label="Contrat de remplacement", model="replacements.Contract",
            template="replacements/pdf/contract.html", version="1",
            build_context=contract_context, can_view=can_view_contract,
            filename=lambda data: f"contrat-remplacement-{data['number']}.pdf",
            demo_object=lambda: Contract.objects.exclude(status="brouillon").order_by("pk").first(),
        ),
        DocumentKind(
            code=TRANSMISSION, label="Dossier de transmission (Ordre, CPAM)",
            model="replacements.Contract", template="replacements/pdf/contract.html", version="1",
            build_context=transmission_context, can_view=can_view_contract,
            filename=lambda data: f"transmission-{data['number']}.pdf",
            demo_object=lambda: Contract.objects.exclude(status="brouillon").order_by("pk").first(),
        ),
        DocumentKind(
            code=STATEMENT, label="Relevé de rétrocession", model="replacements.MonthlyStatement",
            template="replacements/pdf/statement.html", version="1",
            build_context=statement_context, can_view=can_view_statement,
            filename=lambda data: f"retrocession-{data['number']}-{data['month']:%Y-%m}.pdf",
            demo_object=lambda: MonthlyStatement.objects.order_by("pk").first(),
        ),
        DocumentKind(
            code=PATIENT_LETTER, label="Information du patient sur le remplacement",
            model="replacements.PatientNotice", template="documents/pdf/generic_letter.html",
            version="1", build_context=patient_letter_context, can_view=can_view_notice,
            patient_id=lambda notice: notice.patient_id,
            filename=lambda data: f"information-remplacement-{filename_part(data['patient_name'])}.pdf",
            demo_object=lambda: PatientNotice.objects.order_by("pk").first(),
        ),
    ]
