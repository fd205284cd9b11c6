"""ALD and protocole de soins rules (R-ALD-*). Plain Python: no ORM.

The state shown to users is derived from the stored facts (sent date,
decision, procedure, validity), so "réputé accepté" needs no nightly job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# R-ALD-15: the list of ALD exonérantes (CSS D.160-4). ALD 12 (HTA sévère) was
# removed in 2011. 31 = hors liste, 32 = polypathologie invalidante (R-ALD-2).
ALD_LIST: dict[int, str] = {
    1: "Accident vasculaire cérébral invalidant",
    2: "Insuffisances médullaires et autres cytopénies chroniques",
    3: "Artériopathies chroniques avec manifestations ischémiques",
    4: "Bilharziose compliquée",
    5: "Insuffisance cardiaque grave, troubles du rythme graves, cardiopathies valvulaires "
       "graves, cardiopathies congénitales graves",
    6: "Maladies chroniques actives du foie et cirrhoses",
    7: "Déficit immunitaire primitif grave nécessitant un traitement prolongé, "
       "infection par le VIH",
    8: "Diabète de type 1 et diabète de type 2",
    9: "Formes graves des affections neurologiques et musculaires (dont myopathie), "
       "épilepsie grave",
    10: "Hémoglobinopathies, hémolyses chroniques constitutionnelles et acquises sévères",
    11: "Hémophilies et affections constitutionnelles de l'hémostase graves",
    13: "Maladie coronaire",
    14: "Insuffisance respiratoire chronique grave",
    15: "Maladie d'Alzheimer et autres démences",
    16: "Maladie de Parkinson",
    17: "Maladies métaboliques héréditaires nécessitant un traitement prolongé spécialisé",
    18: "Mucoviscidose",
    19: "Néphropathie chronique grave et syndrome néphrotique primitif",
    20: "Paraplégie",
    21: "Vascularites, lupus érythémateux systémique, sclérodermie systémique",
    22: "Polyarthrite rhumatoïde évolutive",
    23: "Affections psychiatriques de longue durée",
    24: "Rectocolite hémorragique et maladie de Crohn évolutives",
    25: "Sclérose en plaques",
    26: "Scoliose idiopathique structurale évolutive (angle ≥ 25°) jusqu'à maturation "
        "rachidienne",
    27: "Spondylarthrite grave",
    28: "Suites de transplantation d'organe",
    29: "Tuberculose active, lèpre",
    30: "Tumeur maligne, affection maligne du tissu lymphatique ou hématopoïétique",
    31: "Affection hors liste (ALD 31)",
    32: "Polypathologie invalidante (ALD 32)",
}
# Items 15–30: wording UNCERTAIN (patients-ald.md), numbering standard.
UNCERTAIN_WORDING = frozenset(range(15, 31))
HORS_LISTE = 31
POLYPATHOLOGIE = 32

DEEMED_ACCEPTED_AFTER = timedelta(days=14)  # R-ALD-7
VALIDITY_YEARS = (3, 5, 10)  # R-ALD-8
DEROGATORY_MONTHS = 6  # R-ALD-9
DEROGATORY_ALERT_DAYS = 30  # R-ALD-9: alert at T−30 days
EXPIRY_ALERT_DAYS = 90  # warn three months before the end of a standard protocol


def ald_choices() -> list[tuple[int, str]]:
    return [(n, f"ALD {n} — {label}" if n < 31 else label) for n, label in ALD_LIST.items()]


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    # A date stored before dates had a range (9999-12-31) must not make a
    # page fail: clamp to Python's date range.
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    # Clamp the day (31 August + 6 months = 28/29 February).
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def valid_to(*, valid_from: date, procedure: str, validity_years: int | None) -> date:
    """R-ALD-8 / R-ALD-9: end of the exemption (the last day covered)."""
    if procedure == "derogatoire":
        return _minus_one_day(add_months(valid_from, DEROGATORY_MONTHS))
    if validity_years not in VALIDITY_YEARS:
        raise ValueError("durée de validité : 3, 5 ou 10 ans")
    return _minus_one_day(add_years(valid_from, validity_years))


def _minus_one_day(day: date) -> date:
    return day if day in (date.min, date.max) else day - timedelta(days=1)


def deemed_accepted_on(sent_at: date) -> date:
    """R-ALD-7: silence of the control service for 14 days counts as agreement."""
    try:
        return sent_at + DEEMED_ACCEPTED_AFTER
    except OverflowError:  # a date stored before dates had a range
        return date.max


# Derived states shown to users.
DRAFT = "draft"
PENDING = "pending"
ACCEPTED = "accepted"
DEEMED_ACCEPTED = "deemed_accepted"
REFUSED = "refused"
EXPIRED = "expired"

STATE_LABELS = {
    DRAFT: "Protocole non envoyé",
    PENDING: "Envoyé, en attente",
    ACCEPTED: "Accepté",
    DEEMED_ACCEPTED: "Réputé accepté (silence de 14 jours)",
    REFUSED: "Refusé",
    EXPIRED: "Expiré",
}
STATE_BADGES = {
    DRAFT: "warn", PENDING: "warn", ACCEPTED: "ok", DEEMED_ACCEPTED: "ok",
    REFUSED: "err", EXPIRED: "err",
}


@dataclass(frozen=True)
class AldStatus:
    state: str
    label: str
    badge: str
    covers: bool  # the exemption applies on `today`
    warnings: tuple[str, ...]
    deemed_accepted_at: date | None = None


def status(
    *,
    today: date,
    decision: str,
    sent_at: date | None,
    valid_from: date | None,
    valid_to: date | None,
    procedure: str,
    exonerante: bool = True,
) -> AldStatus:
    """The protocol's state on `today` and the warnings before a deadline."""
    warnings: list[str] = []
    deemed_at = deemed_accepted_on(sent_at) if sent_at else None
    if decision == "refused":
        state = REFUSED
    elif decision == "accepted":
        state = ACCEPTED
    elif sent_at is None:
        state = DRAFT
    elif today >= deemed_at:
        state = DEEMED_ACCEPTED
    else:
        state = PENDING
        warnings.append(
            f"Protocole envoyé le {sent_at:%d/%m/%Y} : réputé accepté le {deemed_at:%d/%m/%Y} "
            "sans réponse du service médical (R-ALD-7)."
        )
    if state in (ACCEPTED, DEEMED_ACCEPTED) and valid_to is not None and today > valid_to:
        state = EXPIRED
    covers = (
        exonerante  # R-ALD-1: a non-exonérante ALD never waives the ticket modérateur
        and state in (ACCEPTED, DEEMED_ACCEPTED)
        and (valid_from is None or valid_from <= today)
        and (valid_to is None or today <= valid_to)
    )
    if state == EXPIRED:
        warnings.append(f"Exonération terminée le {valid_to:%d/%m/%Y} : demander le renouvellement.")
    elif state in (ACCEPTED, DEEMED_ACCEPTED, PENDING) and valid_to is not None:
        days_left = (valid_to - today).days
        if procedure == "derogatoire":
            if days_left <= DEROGATORY_ALERT_DAYS:
                warnings.append(
                    f"Procédure dérogatoire : le médecin traitant doit établir le protocole "
                    f"standard avant le {valid_to:%d/%m/%Y} (R-ALD-9)."
                )
        elif days_left <= EXPIRY_ALERT_DAYS:
            warnings.append(
                f"Exonération jusqu'au {valid_to:%d/%m/%Y} : préparer le renouvellement du protocole."
            )
    if state == REFUSED:
        warnings.append("Protocole refusé : les soins sont facturés au taux habituel.")
    return AldStatus(
        state=state,
        label=STATE_LABELS[state],
        badge=STATE_BADGES[state],
        covers=covers,
        warnings=tuple(warnings),
        deemed_accepted_at=deemed_at,
    )


def covers_care(
    *,
    care_date: date,
    today: date,
    decision: str,
    sent_at: date | None,
    valid_from: date | None,
    valid_to: date | None,
    exonerante: bool = True,
) -> bool:
    """Whether care given on `care_date` falls under the ALD, with the decision
    as known on `today` (billing may come after the care).

    R-ALD-1: only an exonérante ALD waives the ticket modérateur.
    R-ALD-7: agreement is the médecin-conseil's acceptance or 14 days of silence.
    R-ALD-10: once agreed, care given between the request (sending) and the
    agreement is covered too, so the period starts at the earlier of the
    sending and the start of validity.
    """
    if not exonerante or decision == "refused":
        return False
    agreed = decision == "accepted" or (
        sent_at is not None and today >= deemed_accepted_on(sent_at)
    )
    if not agreed:
        return False
    starts = [d for d in (sent_at, valid_from) if d is not None]
    if starts and care_date < min(starts):
        return False
    return valid_to is None or care_date <= valid_to


def exempt(*, zone: str, ald_covers_on_care_date: bool) -> bool:
    """R-ALD-13: an act is exempt only if prescribed in the upper zone of a
    bizone prescription for a patient whose ALD is valid on the date of care."""
    return zone == "upper" and ald_covers_on_care_date
