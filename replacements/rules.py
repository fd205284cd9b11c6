"""Contract rules of a remplacement (docs/domain/remplacement.md), without the ORM.

The contract page, the profile page and the `check_contract` command call the same
functions. Inputs are plain dataclasses; every finding names its rule id and says in
French what is wrong. A *violation* blocks the contract; a *warning* (an UNCERTAIN rule,
a missing or expiring document, a reminder) does not.

Periods are inclusive calendar days. A contract runs from a start to an end datetime; an
end at exactly midnight means the previous day is the last one worked.

What the app deliberately does not check, and why:
- R-REPL-17: the autorisation de remplacement is valid in the whole of France, so no
  département is compared between the issuing CDOI and the place of practice.
- R-COLL-1 / R-COLL-3: collaboration contracts (loi 2005-882 art. 18) are a different
  contract; this app manages replacements only and says so on the contract form.
- R-COLL-5: a remplaçant is not installed, so no zonage rule applies to a replacement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# --- configuration (thresholds with the text that set them) -----------------------------

SETTINGS = ("etablissement_de_soins", "structure_de_soins", "gcs", "other")
SETTING_LABELS = {
    "etablissement_de_soins": "établissement de soins",
    "structure_de_soins": "structure de soins",
    "gcs": "groupement de coopération sanitaire",
    "other": "autre cadre",
}


@dataclass(frozen=True)
class RuleConfig:
    """Values the rules file leaves to configuration (UNCERTAIN rules) or fixes by text."""

    # R-REPL-13 (CSP R.4312-83 al.2; conv. art. 5.2.3): at most two titulaires at once.
    max_simultaneous_titulaires: int = 2
    # R-REPL-19 (conv. art. 5.2.2 a/): 2 400 hours within the 6 years before the request.
    required_experience_hours: Decimal = Decimal(2400)
    experience_years: int = 6
    # R-REPL-19a (UNCERTAIN): which settings count; "other" does not by default.
    counting_settings: frozenset = frozenset({"etablissement_de_soins", "structure_de_soins", "gcs"})
    # R-REPL-12 (UNCERTAIN): a déconventionné titulaire cannot be replaced; configurable.
    deconventionnement_blocks: bool = True
    # R-REPL-27 (CSP R.4312-85 al.2): written contract mandatory beyond 24 hours.
    written_threshold: dt.timedelta = dt.timedelta(hours=24)
    # R-REPL-22: URSSAF declaration within 8 days of the first replacement.
    urssaf_delay_days: int = 8
    # R-REPL-44 (CSP R.4312-87 al.2): more than 3 months of replacement for one titulaire.
    non_compete_trigger_months: int = 3
    # R-REPL-47 (UNCERTAIN): usual IDEL cabinet share 5–10 % of care fees, a suggestion.
    usual_cabinet_share_max: Decimal = Decimal(10)
    # Warn this many days before an autorisation, RCP or CPS card expires.
    expiry_notice_days: int = 60


DEFAULT_CONFIG = RuleConfig()

# R-REPL-18: since decree 2016-1605 (in force 25 Nov 2016) the CDOI issues authorisations.
CDOI_AUTHORITY_SINCE = dt.date(2016, 11, 25)
ISSUERS = ("cdoi", "prefet", "ars")


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and start <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Unavailability(Period):
    kind: str = "conge"


@dataclass(frozen=True)
class Autorisation(Period):
    """R-REPL-16 / R-ID-7: free-text number, issuing council, validity dates."""

    issuer: str = "cdoi"
    issued_on: dt.date | None = None


@dataclass(frozen=True)
class Experience(Period):
    hours: Decimal = Decimal(0)
    setting: str = "other"


@dataclass(frozen=True)
class OtherContract(Period):
    """Another signed or in-progress contract; `party` is the other side's id."""

    party: str = ""


@dataclass(frozen=True)
class TitulaireFacts:
    id: str
    conventionne: bool
    interdiction_exercer: Sequence[Period] = ()
    deconventionnement: Sequence[Period] = ()
    unavailability: Sequence[Unavailability] = ()
    own_visits: Sequence[dt.date] = ()
    # Optional facts (None = not known, no finding).
    sas_interdiction: Sequence[Period] = ()
    practice_form: str | None = None  # "individuel", "association", "societe"
    other_contracts: Sequence[OtherContract] = ()  # her contracts with other remplaçants


@dataclass(frozen=True)
class RemplacantFacts:
    installed: bool
    diploma_date: dt.date | None
    ordre_registered: bool
    interdiction_exercer: Sequence[Period] = ()
    autorisations: Sequence[Autorisation] = ()
    experience: Sequence[Experience] = ()
    rcp_valid_to: dt.date | None = None
    urssaf_declared_on: dt.date | None = None
    other_contracts: Sequence[OtherContract] = ()  # her contracts with other titulaires
    sas_interdiction: Sequence[Period] = ()
    salaried: bool | None = None
    employer_authorised: bool | None = None


@dataclass(frozen=True)
class ContractFacts:
    start: dt.datetime
    end: dt.datetime
    written: bool
    repeated: bool
    motif: str
    cabinet_share_percent: Decimal
    travel_share_percent: Decimal | None = None
    # R-REPL-39: "cabinet_titulaire", "cabinet_remplacant" or "domicile".
    place: str | None = None
    # R-REPL-45: a contractual non-compete clause and its limits.
    non_compete_clause: bool = False
    non_compete_months: int | None = None
    non_compete_radius_km: int | None = None

    @property
    def first_day(self) -> dt.date:
        return self.start.date()

    @property
    def last_day(self) -> dt.date:
        """An end at midnight closes the previous day."""
        if self.end.time() == dt.time(0, 0) and self.end.date() > self.start.date():
            return self.end.date() - dt.timedelta(days=1)
        return self.end.date()

    @property
    def period(self) -> Period:
        return Period(self.first_day, max(self.first_day, self.last_day))


# --- output -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    deadline: dt.date | None = None
    dates: tuple[dt.date, ...] = ()

    def as_json(self) -> dict:
        return {"rule": self.rule, "message": self.message}


@dataclass
class CheckResult:
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.violations

    def as_json(self) -> dict:
        return {
            "valid": self.valid,
            "violations": [f.as_json() for f in self.violations],
            "warnings": [f.as_json() for f in self.warnings],
        }


def fr_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def fr_number(value: Decimal, places: int = 2) -> str:
    """1234.5 → "1 234,50" (French grouping and decimal comma)."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _fr_dates(days: Iterable[dt.date], limit: int = 10) -> str:
    days = sorted(set(days))
    text = ", ".join(fr_date(d) for d in days[:limit])
    if len(days) > limit:
        text += f" et {len(days) - limit} autre(s)"
    return text


# --- interval helpers ---------------------------------------------------------------------


def _merge(periods: Iterable[Period]) -> list[Period]:
    merged: list[Period] = []
    for p in sorted(periods, key=lambda p: (p.start, p.end)):
        if merged and p.start <= merged[-1].end + dt.timedelta(days=1):
            last = merged[-1]
            merged[-1] = Period(last.start, max(last.end, p.end))
        else:
            merged.append(Period(p.start, p.end))
    return merged


def uncovered_days(period: Period, cover: Iterable[Period]) -> list[Period]:
    """The parts of `period` that no period of `cover` contains."""
    gaps: list[Period] = []
    cursor = period.start
    for p in _merge(cover):
        if p.end < cursor:
            continue
        if p.start > period.end:
            break
        if p.start > cursor:
            gaps.append(Period(cursor, min(period.end, p.start - dt.timedelta(days=1))))
        cursor = max(cursor, p.end + dt.timedelta(days=1))
        if cursor > period.end:
            break
    if cursor <= period.end:
        gaps.append(Period(cursor, period.end))
    return gaps


def _overlapping(periods: Iterable[Period], period: Period) -> list[Period]:
    return [p for p in periods if p.overlaps(period.start, period.end)]


def _fr_period(p: Period) -> str:
    if p.start == p.end:
        return f"le {fr_date(p.start)}"
    return f"du {fr_date(p.start)} au {fr_date(p.end)}"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- experience (R-REPL-19, R-REPL-19a) ---------------------------------------------------


def experience_window(on: dt.date, config: RuleConfig = DEFAULT_CONFIG) -> Period:
    """R-REPL-19: the 6 years before the request (the day before `on` included)."""
    return Period(_add_years(on, -config.experience_years), on - dt.timedelta(days=1))


def counted_hours(
    periods: Iterable[Experience], on: dt.date, config: RuleConfig = DEFAULT_CONFIG
) -> Decimal:
    """R-REPL-19: effective hours in counting settings within the window, a period that
    straddles the window counted pro rata of its days inside it; R-REPL-19a: settings
    outside `config.counting_settings` do not count."""
    window = experience_window(on, config)
    total = Decimal(0)
    for p in periods:
        if p.setting not in config.counting_settings or not p.overlaps(window.start, window.end):
            continue
        inside = (min(p.end, window.end) - max(p.start, window.start)).days + 1
        total += p.hours * Decimal(inside) / Decimal(p.days)
    return total.quantize(Decimal("0.01"))


def excluded_hours(periods: Iterable[Experience], config: RuleConfig = DEFAULT_CONFIG) -> Decimal:
    return sum(
        (p.hours for p in periods if p.setting not in config.counting_settings), Decimal(0)
    )


# --- identifiers (R-ID-*) -----------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def rpps_findings(value: str) -> tuple[list[Finding], list[Finding]]:
    """R-ID-1: 11 digits (an error); R-ID-2: Luhn key (UNCERTAIN: a warning)."""
    value = (value or "").strip()
    if len(value) != 11 or not value.isdigit():
        return [Finding("R-ID-1", "Le numéro RPPS comporte exactement 11 chiffres.")], []
    if not luhn_ok(value):
        return [], [Finding(
            "R-ID-2",
            "La clé du numéro RPPS (Luhn) ne correspond pas : vérifiez le numéro "
            "(règle non confirmée par un texte de l'ANS, simple avertissement).",
        )]
    return [], []


def idnat_ps(rpps: str) -> str:
    """R-ID-3: the national identifier is "8" + RPPS."""
    return "8" + rpps


def adeli_findings(value: str) -> list[Finding]:
    """R-ID-4: ADELI is legacy, optional; 9 characters when given (key not checked)."""
    value = (value or "").strip()
    if value and (len(value) != 9 or not value.isalnum()):
        return [Finding("R-ID-4", "Le numéro ADELI (ancien) comporte 9 caractères.")]
    return []


def nir_findings(value: str) -> list[Finding]:
    """R-ID-5: NIR = 13 characters + key 97 − (N mod 97), Corsica 2A/2B → 19/18 (stdnum)."""
    from stdnum.fr import nir

    return _stdnum_findings(nir, value, Finding(
        "R-ID-5", "Le NIR (13 caractères et clé de 2 chiffres) est invalide."))


def siret_findings(value: str) -> list[Finding]:
    """R-ID-6: SIRET validated with python-stdnum (Luhn, La Poste exception)."""
    from stdnum.fr import siret

    return _stdnum_findings(siret, value, Finding(
        "R-ID-6", "Le numéro SIRET (14 chiffres) est invalide."))


def _stdnum_findings(number_format, value: str, refusal: Finding) -> list[Finding]:
    from stdnum.exceptions import ValidationError

    try:
        number_format.validate(value or "")
    except ValidationError:
        return [refusal]
    return []


def autorisation_default_end(issued_on: dt.date) -> dt.date:
    """R-ID-7 / R-REPL-16: one year from issue unless the document says otherwise."""
    return _add_years(issued_on, 1) - dt.timedelta(days=1)


def autorisation_issuer_findings(issuer: str, issued_on: dt.date | None) -> list[Finding]:
    """R-REPL-18: since 25/11/2016 only the CDOI issues authorisations; préfet or ARS
    authorisations are legacy data, impossible after that date."""
    if issuer in ("prefet", "ars") and issued_on is not None and issued_on >= CDOI_AUTHORITY_SINCE:
        label = "le préfet" if issuer == "prefet" else "l'ARS"
        return [Finding(
            "R-REPL-18",
            f"Depuis le 25/11/2016, l'autorisation de remplacement est délivrée par le conseil "
            f"départemental de l'Ordre, pas par {label}.",
        )]
    return []


# --- the contract check -------------------------------------------------------------------


def check_contract(
    titulaire: TitulaireFacts,
    remplacant: RemplacantFacts,
    contract: ContractFacts,
    config: RuleConfig = DEFAULT_CONFIG,
) -> CheckResult:
    """Every rule of remplacement.md that the facts let us check, in the file's order."""
    result = CheckResult()
    bad, warn = result.violations.append, result.warnings.append
    period = contract.period

    # R-REPL-2 (CSP R.4312-83): a replacement is temporary, so it has an end after its start.
    if contract.end <= contract.start:
        bad(Finding("R-REPL-2", "Le remplacement est temporaire : la fin du contrat doit "
                                "être postérieure à son début."))
        return result

    # R-REPL-3 (CSP R.4312-85 al.1), R-COLL-2: only during the titulaire's unavailability.
    gaps = uncovered_days(period, titulaire.unavailability)
    if gaps:
        bad(Finding(
            "R-REPL-3",
            "Le contrat doit rester dans l'indisponibilité déclarée du titulaire ; hors "
            "indisponibilité : " + ", ".join(_fr_period(g) for g in gaps) + ".",
            dates=tuple(g.start for g in gaps),
        ))

    # R-REPL-4: the reason must be stated.
    if not (contract.motif or "").strip():
        bad(Finding("R-REPL-4", "Le contrat doit indiquer le motif du remplacement (sans motif "
                                "ni dates, il peut être requalifié en collaboration déguisée)."))

    # R-REPL-5 / R-REPL-6: the titulaire refrains from all activity during the period.
    own = sorted({d for d in titulaire.own_visits if period.start <= d <= period.end})
    if own:
        bad(Finding(
            "R-REPL-5",
            f"Le titulaire doit s'abstenir de toute activité pendant le remplacement ; il a "
            f"encore {len(own)} passage(s) à son nom à réattribuer : {_fr_dates(own)}.",
            dates=tuple(own),
        ))
        if titulaire.conventionne:
            bad(Finding(
                "R-REPL-6",
                "Toute activité libérale conventionnelle du titulaire est interdite pendant la "
                "période effective du remplacement (convention, art. 5.2.3).",
                dates=tuple(own),
            ))

    # R-REPL-7: a titulaire in an association or a company informs it.
    if titulaire.practice_form in ("association", "societe"):
        warn(Finding("R-REPL-7", "Le titulaire exerce en association ou en société : il doit "
                                 "l'informer du remplacement."))

    # R-REPL-8 (UNCERTAIN): several remplaçants for one titulaire, never overlapping.
    clash = _overlapping(titulaire.other_contracts, period)
    if clash:
        warn(Finding(
            "R-REPL-8",
            "Le titulaire a déjà un autre remplaçant sur cette période ("
            + ", ".join(_fr_period(p) for p in clash)
            + ") ; les périodes de plusieurs remplaçants ne doivent pas se chevaucher "
            "(règle incertaine, avertissement).",
        ))

    # R-REPL-9: a titulaire under interdiction d'exercer cannot be replaced.
    for p in _overlapping(titulaire.interdiction_exercer, period):
        bad(Finding("R-REPL-9", f"Le titulaire est sous interdiction d'exercer {_fr_period(p)} : "
                                "il ne peut pas être remplacé pendant la sanction."))
    # R-REPL-10: nor can a remplaçant under interdiction replace.
    for p in _overlapping(remplacant.interdiction_exercer, period):
        bad(Finding("R-REPL-10", f"Le remplaçant est sous interdiction d'exercer {_fr_period(p)} : "
                                 "il ne peut pas remplacer pendant la sanction."))
    # R-REPL-11 (UNCERTAIN): ban from the section des assurances sociales, either side.
    for who, facts in (("Le titulaire", titulaire), ("Le remplaçant", remplacant)):
        for p in _overlapping(facts.sas_interdiction, period):
            warn(Finding(
                "R-REPL-11",
                f"{who} est interdit de donner des soins aux assurés sociaux {_fr_period(p)} : "
                "ni remplacement ni remplacé pendant la sanction (base juridique incertaine).",
            ))
    # R-REPL-12 (UNCERTAIN, configurable): a déconventionné titulaire.
    for p in _overlapping(titulaire.deconventionnement, period):
        finding = Finding(
            "R-REPL-12",
            f"Le titulaire est déconventionné {_fr_period(p)} : il ne peut pas être remplacé "
            "pendant la sanction (règle paramétrable, texte de la convention à confirmer).",
        )
        (bad if config.deconventionnement_blocks else warn)(finding)

    # R-REPL-13 / R-REPL-13a: at most two titulaires on any calendar day.
    _check_simultaneous(titulaire, remplacant, period, config, bad)

    # R-REPL-14: diploma.
    if remplacant.diploma_date is None:
        bad(Finding("R-REPL-14", "Le remplaçant doit être titulaire du diplôme d'État "
                                 "d'infirmier (ou d'une autorisation d'exercice équivalente)."))
    elif remplacant.diploma_date > period.start:
        bad(Finding("R-REPL-14", f"Le diplôme d'État du remplaçant ({fr_date(remplacant.diploma_date)}) "
                                 "est postérieur au début du contrat."))
    # R-REPL-15: Ordre.
    if not remplacant.ordre_registered:
        bad(Finding("R-REPL-15", "Le remplaçant doit être inscrit au tableau de l'Ordre "
                                 "des infirmiers."))

    # R-REPL-16: a non-installed remplaçant needs an authorisation over the whole period.
    if not remplacant.installed:
        gaps = uncovered_days(period, remplacant.autorisations)
        if gaps:
            bad(Finding(
                "R-REPL-16",
                "Un remplaçant non installé doit détenir une autorisation de remplacement "
                "valide sur toute la période ; non couvert : "
                + ", ".join(_fr_period(g) for g in gaps) + ".",
            ))
    for a in remplacant.autorisations:  # R-REPL-18
        for f in autorisation_issuer_findings(a.issuer, a.issued_on or a.start):
            warn(f)

    # R-REPL-19 / R-REPL-26: a conventionné titulaire needs 2 400 h within 6 years.
    if titulaire.conventionne:
        hours = counted_hours(remplacant.experience, period.start, config)
        if hours < config.required_experience_hours:
            window = experience_window(period.start, config)
            bad(Finding(
                "R-REPL-19",
                f"Pour remplacer un infirmier conventionné, le remplaçant doit justifier de "
                f"{fr_number(config.required_experience_hours, 0)} heures d'exercice effectif "
                f"(18 mois) {_fr_period(window)} en établissement de soins, structure de "
                f"soins ou GCS ; retenu : {fr_number(hours)} h.",
            ))
        excluded = [p for p in remplacant.experience if p.setting not in config.counting_settings]
        if excluded:
            warn(Finding(
                "R-REPL-19a",
                f"{len(excluded)} période(s) d'expérience hors établissement, structure de soins "
                "ou GCS ne sont pas comptées (liste des exclusions non confirmée, paramétrable).",
            ))

    # R-REPL-22: URSSAF within 8 days of the first replacement.
    firsts = [period.start] + [c.start for c in remplacant.other_contracts]
    deadline = min(firsts) + dt.timedelta(days=config.urssaf_delay_days)
    if remplacant.urssaf_declared_on is None:
        warn(Finding("R-REPL-22", f"Déclaration URSSAF à faire au plus tard le {fr_date(deadline)} "
                                  "(8 jours après le début du premier remplacement).",
                     deadline=deadline))
    elif remplacant.urssaf_declared_on > deadline:
        warn(Finding("R-REPL-22", f"Déclaration URSSAF faite le {fr_date(remplacant.urssaf_declared_on)}, "
                                  f"après l'échéance du {fr_date(deadline)}.", deadline=deadline))

    # R-REPL-24 (UNCERTAIN): own RCP insurance over the whole contract.
    if remplacant.rcp_valid_to is None:
        warn(Finding("R-REPL-24", "Attestation d'assurance responsabilité civile professionnelle "
                                  "(RCP) du remplaçant manquante.", deadline=period.start))
    elif remplacant.rcp_valid_to < period.end:
        warn(Finding("R-REPL-24", f"L'assurance RCP du remplaçant expire le "
                                  f"{fr_date(remplacant.rcp_valid_to)}, avant la fin du contrat.",
                     deadline=remplacant.rcp_valid_to))

    # R-REPL-25: a salaried remplaçant needs the employer's authorisation (warning).
    if remplacant.salaried and not remplacant.employer_authorised:
        warn(Finding("R-REPL-25", "Le remplaçant est aussi salarié : l'autorisation de son "
                                  "employeur est nécessaire."))

    # R-REPL-27 / R-REPL-28: written contract.
    duration = contract.end - contract.start
    mandatory = duration > config.written_threshold or contract.repeated
    if not contract.written:
        if mandatory:
            bad(Finding("R-REPL-27", "Un contrat écrit est obligatoire pour un remplacement de plus "
                                     "de 24 heures ou répété (CSP R.4312-85)."))
        else:
            warn(Finding("R-REPL-28", "Tout contrat ayant pour objet l'exercice de la profession "
                                      "est établi par écrit (CSP R.4312-73) : rédigez-le."))

    # R-REPL-36 / R-REPL-48: travel indemnities outside the cabinet share.
    if contract.travel_share_percent is not None and contract.travel_share_percent > 0:
        warn(Finding("R-REPL-36", "L'Ordre recommande d'exclure les indemnités de déplacement "
                                  "(IFD/IK) de l'assiette de la part du cabinet."))
    # R-REPL-46 / R-REPL-47: the rate is free; above the usual IDEL range, a warning.
    if contract.cabinet_share_percent > config.usual_cabinet_share_max:
        warn(Finding(
            "R-REPL-47",
            f"Part du cabinet de {contract.cabinet_share_percent} % : la pratique usuelle des "
            f"infirmiers est de 5 à {config.usual_cabinet_share_max} % des honoraires hors "
            "déplacements (aucun texte ne fixe le taux ; justifiez les charges, R-REPL-37).",
        ))

    # R-REPL-39: only an installed remplaçant may see patients in her own cabinet.
    if contract.place == "cabinet_remplacant" and not remplacant.installed:
        bad(Finding("R-REPL-39", "Un remplaçant non installé exerce au cabinet du titulaire ou au "
                                 "domicile des patients, pas dans son propre cabinet."))

    # R-REPL-44: more than 3 months (consecutive or not) with this titulaire → non-compete.
    same = [c for c in remplacant.other_contracts if c.party == titulaire.id]
    total_days = period.days + sum(c.days for c in same)
    if total_days > non_compete_trigger_days(period.start, config):
        warn(Finding(
            "R-REPL-44",
            f"{total_days} jours de remplacement cumulés pour ce titulaire (plus de 3 mois) : le "
            "remplaçant ne pourra pas s'installer en concurrence directe pendant 2 ans, sauf "
            "accord notifié au conseil départemental de l'Ordre.",
        ))
    # R-REPL-45 (UNCERTAIN): a contractual clause limited in time and space.
    if contract.non_compete_clause and (not contract.non_compete_months or not contract.non_compete_radius_km):
        warn(Finding("R-REPL-45", "La clause de non-concurrence doit être limitée dans le temps et "
                                  "dans l'espace (durée et rayon)."))

    # R-COLL-4: recurring weekly pattern with this titulaire → possible requalification.
    pattern = weekly_pattern([period] + same)
    if pattern:
        warn(Finding(
            "R-COLL-4",
            f"Remplacements répétés le {pattern} chaque semaine chez ce titulaire : un remplacement "
            "régulier peut être requalifié en collaboration ou en salariat (indus).",
        ))
    return result


def non_compete_trigger_days(on: dt.date, config: RuleConfig = DEFAULT_CONFIG) -> int:
    """R-REPL-44: "3 months" counted as the days of the 3 months that start on `on`."""
    return (add_months(on, config.non_compete_trigger_months) - on).days


WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def weekly_pattern(periods: Sequence[Period], weeks: int = 3) -> str | None:
    """R-COLL-4: short replacements (≤ 2 days) on the same weekday in `weeks` or more
    distinct weeks → the weekday's name; otherwise None."""
    by_weekday: dict[int, set] = {}
    for p in periods:
        if p.days <= 2:
            by_weekday.setdefault(p.start.weekday(), set()).add(p.start.isocalendar()[:2])
    for weekday, seen in sorted(by_weekday.items()):
        if len(seen) >= weeks:
            return WEEKDAYS_FR[weekday]
    return None


def _check_simultaneous(titulaire, remplacant, period, config, bad) -> None:
    """R-REPL-13a: for every calendar day, distinct titulaires covered ≤ the maximum."""
    others = [c for c in remplacant.other_contracts if c.party != titulaire.id]
    if not others:
        return
    events: dict[dt.date, list[str]] = {}
    for c in others:
        if not c.overlaps(period.start, period.end):
            continue
        events.setdefault(max(c.start, period.start), []).append(c.party)
    if not events:
        return
    # Sweep the days where a new contract starts: the count only rises on those days.
    worst: tuple[int, dt.date] | None = None
    for day in sorted(events):
        parties = {titulaire.id} | {c.party for c in others if c.start <= day <= c.end}
        if len(parties) > config.max_simultaneous_titulaires and worst is None:
            worst = (len(parties), day)
    if worst:
        bad(Finding(
            "R-REPL-13",
            f"Le remplaçant remplacerait {worst[0]} infirmiers en même temps le "
            f"{fr_date(worst[1])} : au maximum {config.max_simultaneous_titulaires} simultanément "
            "(CSP R.4312-83).",
            dates=(worst[1],),
        ))


# --- profile, lifecycle and fiscal findings ---------------------------------------------


@dataclass(frozen=True)
class ProfileFacts:
    """What the remplaçant's profile page checks (missing or expiring items)."""

    installed: bool
    diploma_date: dt.date | None
    ordre_number: str
    rpps: str
    autorisations: Sequence[Autorisation] = ()
    experience: Sequence[Experience] = ()
    cpam_attestation_on: dt.date | None = None
    cps_valid_to: dt.date | None = None
    rcp_valid_to: dt.date | None = None
    carpimko_affiliated_on: dt.date | None = None
    urssaf_declared_on: dt.date | None = None
    siret: str = ""
    first_replacement_on: dt.date | None = None
    salaried: bool = False
    employer_authorised_on: dt.date | None = None


def profile_warnings(
    p: ProfileFacts, today: dt.date, config: RuleConfig = DEFAULT_CONFIG
) -> list[Finding]:
    """Each missing or expiring credential, with its deadline."""
    out: list[Finding] = []
    soon = today + dt.timedelta(days=config.expiry_notice_days)
    if p.diploma_date is None:
        out.append(Finding("R-REPL-14", "Diplôme d'État d'infirmier : date et copie à renseigner."))
    if not (p.ordre_number or "").strip():
        out.append(Finding("R-REPL-15", "Numéro d'inscription au tableau de l'Ordre à renseigner."))
    errors, warnings = rpps_findings(p.rpps)
    out += errors + warnings
    if not p.installed:
        current = [a for a in p.autorisations if a.start <= today <= a.end]
        if not current:
            out.append(Finding("R-REPL-16", "Aucune autorisation de remplacement en cours de validité : "
                                            "demandez-la au conseil départemental de l'Ordre.",
                               deadline=today))
        else:
            end = max(a.end for a in current)
            later = [a for a in p.autorisations if a.start > end]
            if end <= soon and not later:
                out.append(Finding(
                    "R-REPL-16",
                    f"L'autorisation de remplacement expire le {fr_date(end)} : demandez son "
                    "renouvellement (valable un an, renouvelable).",
                    deadline=end,
                ))
    hours = counted_hours(p.experience, today, config)
    if hours < config.required_experience_hours:
        out.append(Finding(
            "R-REPL-19",
            f"Expérience retenue : {fr_number(hours)} h sur les 6 dernières années ; "
            f"{fr_number(config.required_experience_hours, 0)} h sont nécessaires pour remplacer "
            "un infirmier conventionné.",
        ))
    if p.cpam_attestation_on is None:
        out.append(Finding("R-REPL-20", "Attestation d'expérience de la CPAM de votre domicile "
                                        "manquante (copie du diplôme, n° ordinal, autorisation)."))
    for rule, label, valid_to in (
        ("R-REPL-40", "Carte CPS remplaçant / e-CPS", p.cps_valid_to),
        ("R-REPL-24", "Assurance RCP", p.rcp_valid_to),
    ):
        if valid_to is None:
            out.append(Finding(rule, f"{label} : date de validité à renseigner."))
        elif valid_to < today:
            out.append(Finding(rule, f"{label} expirée depuis le {fr_date(valid_to)}.", deadline=valid_to))
        elif valid_to <= soon:
            out.append(Finding(rule, f"{label} : expire le {fr_date(valid_to)}.", deadline=valid_to))
    if p.carpimko_affiliated_on is None:
        out.append(Finding("R-REPL-23", "Affiliation à la Carpimko à renseigner."))
    if p.urssaf_declared_on is None:
        if p.first_replacement_on is not None:
            deadline = p.first_replacement_on + dt.timedelta(days=config.urssaf_delay_days)
            out.append(Finding("R-REPL-22", f"Déclaration URSSAF à faire au plus tard le "
                                            f"{fr_date(deadline)}.", deadline=deadline))
        else:
            out.append(Finding("R-REPL-22", "Déclaration URSSAF à faire dans les 8 jours du début du "
                                            "premier remplacement."))
    if (p.siret or "").strip():
        out += siret_findings(p.siret)
    if p.salaried and p.employer_authorised_on is None:
        out.append(Finding("R-REPL-25", "Salarié par ailleurs : autorisation de l'employeur à joindre."))
    return out


@dataclass(frozen=True)
class TransmissionFacts:
    start: dt.date
    signed: bool
    sent_to_cdoi_titulaire_on: dt.date | None = None
    sent_to_cdoi_remplacant_on: dt.date | None = None
    sent_to_cpam_on: dt.date | None = None
    draft_submitted_on: dt.date | None = None
    cdoi_observations_on: dt.date | None = None
    sworn_titulaire: bool = False
    sworn_remplacant: bool = False


def transmission_reminders(t: TransmissionFacts, today: dt.date) -> list[Finding]:
    """R-REPL-29/31: both parties send every contract to their CDOI, best before the first
    day (no legal deadline: a reminder); R-REPL-21: authorisation and contract to the
    titulaire's CPAM; R-REPL-30: a draft's observations within one month, silence is
    approval; R-REPL-33 (UNCERTAIN): both sworn statements of no counter-letter."""
    out: list[Finding] = []
    if t.draft_submitted_on and t.cdoi_observations_on is None:
        deadline = add_months(t.draft_submitted_on, 1)
        if today > deadline:
            out.append(Finding("R-REPL-30", f"Projet soumis au CDOI le {fr_date(t.draft_submitted_on)} "
                                            "sans observation en un mois : le silence vaut approbation."))
        else:
            out.append(Finding("R-REPL-30", f"Observations du CDOI attendues au plus tard le "
                                            f"{fr_date(deadline)}.", deadline=deadline))
    if not t.signed:
        return out
    for who, sent in (("titulaire", t.sent_to_cdoi_titulaire_on), ("remplaçant", t.sent_to_cdoi_remplacant_on)):
        if sent is None:
            late = today >= t.start
            out.append(Finding(
                "R-REPL-31" if not late else "R-REPL-29",
                f"Contrat à transmettre par le {who} à son conseil départemental de l'Ordre"
                + (" avant le premier jour (conseil d'usage, pas de délai légal)." if not late
                   else " : transmission obligatoire, toujours en attente."),
                deadline=t.start,
            ))
    if t.sent_to_cpam_on is None:
        out.append(Finding("R-REPL-21", "Autorisation de remplacement et contrat à déposer à la CPAM "
                                        "du lieu d'exercice du titulaire.", deadline=t.start))
    if not (t.sworn_titulaire and t.sworn_remplacant):
        out.append(Finding("R-REPL-33", "Déclaration sur l'honneur d'absence de contre-lettre à "
                                        "signer par chaque partie (règle incertaine)."))
    return out


# Clauses of R-REPL-34 (ONI model) that a contract must fill before it can be signed.
REQUIRED_CLAUSES = (
    ("motif", "le motif"),
    ("place", "le ou les lieux d'exercice"),
    ("means", "les moyens mis à disposition"),
    ("basis", "l'assiette de la rétrocession (honoraires facturés ou encaissés)"),
    ("payment_method", "le mode de paiement"),
    ("payment_schedule", "l'échéancier de paiement"),
    ("early_termination", "les conditions de résiliation anticipée"),
)


def missing_clauses(values: dict) -> list[Finding]:
    """R-REPL-34 (clauses of the ONI model), R-REPL-35 (explicit basis)."""
    out = []
    for key, label in REQUIRED_CLAUSES:
        if not str(values.get(key) or "").strip():
            rule = "R-REPL-35" if key == "basis" else "R-REPL-34"
            out.append(Finding(rule, f"Clause manquante : {label}."))
    return out


# --- lifecycle (R-REPL-38), hand-over (R-REPL-1/40/42), privacy (R-REPL-43) --------------

DRAFT, SIGNED, TRANSMITTED, ENDED, TERMINATED = "brouillon", "signe", "transmis", "termine", "resilie"
TRANSITIONS = {
    DRAFT: (SIGNED,),
    SIGNED: (TRANSMITTED, TERMINATED),
    TRANSMITTED: (ENDED, TERMINATED),
    ENDED: (),
    TERMINATED: (),
}
# R-REPL-32: usual practice, three signed copies.
SIGNED_COPIES = ("le remplaçant", "le remplacé", "le conseil départemental de l'Ordre")


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())


def clauses_editable(status: str) -> bool:
    """R-REPL-38: a signed contract is never edited; changes are an avenant."""
    return status == DRAFT


def counts_for_checks(status: str) -> bool:
    """R-REPL-13a: signed or in-progress contracts count against the limit."""
    return status in (SIGNED, TRANSMITTED)


@dataclass(frozen=True)
class VisitRef:
    id: int
    nurse: int
    date: dt.date


@dataclass(frozen=True)
class Handover:
    visit: int
    nurse: int  # the remplaçant who performs it (R-REPL-42)
    on_behalf_of: int  # the titulaire it is billed under (R-REPL-40)


def handover_plan(visits: Iterable[VisitRef], titulaire: int, remplacant: int,
                  period: Period) -> list[Handover]:
    """R-REPL-1: care never stops: every visit of the titulaire inside the contract goes to
    the remplaçant's tournée, billed under the titulaire's identity (R-REPL-40) and
    remembering who performs it (R-REPL-42)."""
    return [
        Handover(v.id, remplacant, titulaire)
        for v in visits
        if v.nurse == titulaire and period.start <= v.date <= period.end
    ]


def access_window(period: Period, margin_days: int) -> Period:
    """R-REPL-43: the remplaçant sees the titulaire's patients during the contract plus a
    configurable margin around it, and nothing after that."""
    margin = dt.timedelta(days=max(0, margin_days))
    return Period(period.start - margin, period.end + margin)
