"""The checks AUD-1…11 of docs/domain/facturation.md §2, one function per
rule. Each finding names its rule, the séance, what is wrong and what to do.
AUD-9 prices the séance's facts with the NGAP engine (`billing.ngap`) and
compares the result with what is billed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from billing.ngap import engine
from billing.ngap.model import QuoteError
from billing.ngap.tariffs import TariffTable

from .model import (
    BSI_FORFAITS,
    ERROR,
    NIGHT_CODES,
    PRESCRIBED_KEY,
    SUNDAY_CODES,
    TRAVEL_CODES,
    WARNING,
    AuditInput,
    AuditResult,
    BilledLine,
    Finding,
    PrescriptionInfo,
    SeanceInfo,
)

ZERO = Decimal(0)
# AUD-6: a BSI is renewed every 12 months (NGAP-BSI-3).
BSI_VALIDITY_MONTHS = 12
# AUD-11: a day holds at most 12 h of care.
MAX_CARE_MINUTES = 12 * 60


def act_minutes(code: str, coefficient: Decimal | None) -> int:
    """Reference duration of a billed act for AUD-11 (reading, UNCERTAIN:
    the NGAP gives a duration only for AIS — AIS 3 is a half-hour séance, so
    10 min per AIS unit; for AMI/AMX 5 min per coefficient unit with a floor of
    10 min; forfaits and télésoin 10 min; DI 30 min)."""
    coef = coefficient if coefficient is not None else Decimal(1)
    if code == "AIS":
        return int(coef * 10)
    if code in ("AMI", "AMX"):
        return max(10, int(coef * 5))
    if code == "DI":
        return 30
    return 10


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _prescribed_key(code: str) -> str:
    return PRESCRIBED_KEY.get(code, code)


class _Context:
    def __init__(self, data: AuditInput, tariffs: TariffTable | None):
        self.data = data
        self.tariffs = tariffs
        self.patients = {p.id: p for p in data.patients}
        self.prescriptions = {p.id: p for p in data.prescriptions}
        self.findings: list[Finding] = []

    def prescription(self, seance: SeanceInfo) -> PrescriptionInfo | None:
        if seance.prescription is None:
            return None
        return self.prescriptions.get(seance.prescription)

    def add(self, rule: str, seance: SeanceInfo, severity: str, message: str, action: str,
            **detail) -> None:
        self.findings.append(Finding(rule, seance.id, severity, message, action, detail))


def aud_1_prescription_lists_the_act(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-1: every billed act needs an attached prescription of the same
    patient that lists its key (AMX is prescribed as AMI, NGAP-BSI-5)."""
    acts = [line for line in seance.billed_lines if line.is_act]
    if not acts:
        return
    prescription = ctx.prescription(seance)
    if prescription is None:
        ctx.add("AUD-1", seance, ERROR, "Acte facturé sans ordonnance rattachée",
                "joindre l'ordonnance (ou retirer l'acte)")
        return
    if prescription.patient != seance.patient:
        ctx.add("AUD-1", seance, ERROR, "L'ordonnance rattachée est celle d'un autre patient",
                "rattacher l'ordonnance du patient")
        return
    keys = {_prescribed_key(a.key) for a in prescription.acts}
    missing = sorted({line.code for line in acts if _prescribed_key(line.code) not in keys})
    if missing:
        ctx.add("AUD-1", seance, ERROR,
                f"Acte(s) {', '.join(missing)} absent(s) de l'ordonnance",
                "joindre l'ordonnance qui prescrit l'acte, ou retirer l'acte")


def aud_2_within_the_prescription(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-2: the séance lies within the prescription's start and end."""
    prescription = ctx.prescription(seance)
    if prescription is None:
        return
    if seance.date < prescription.start:
        ctx.add("AUD-2", seance, ERROR,
                f"Séance du {seance.date:%d/%m/%Y} antérieure au début de l'ordonnance "
                f"({prescription.start:%d/%m/%Y})",
                "corriger la date ou joindre l'ordonnance en cours à cette date")
    elif seance.date > prescription.end:
        ctx.add("AUD-2", seance, ERROR,
                f"Séance du {seance.date:%d/%m/%Y} postérieure à la fin de l'ordonnance "
                f"({prescription.end:%d/%m/%Y})",
                "demander le renouvellement de l'ordonnance et la joindre")


def aud_3_prescribed_coefficient(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-3: a billed coefficient that the prescription does not give for
    that key (when it gives one) — warning."""
    prescription = ctx.prescription(seance)
    if prescription is None or prescription.patient != seance.patient:
        return
    prescribed: dict[str, set] = defaultdict(set)
    for act in prescription.acts:
        if act.coefficient is not None:
            prescribed[_prescribed_key(act.key)].add(act.coefficient)
    for line in seance.billed_lines:
        if not line.is_act or line.coefficient is None:
            continue
        wanted = prescribed.get(_prescribed_key(line.code))
        if wanted and line.coefficient not in wanted:
            listed = ", ".join(f"{_prescribed_key(line.code)} {c.normalize():f}"
                               for c in sorted(wanted))
            ctx.add("AUD-3", seance, WARNING,
                    f"{line.code} {line.coefficient.normalize():f} facturé, l'ordonnance "
                    f"prescrit {listed}",
                    "vérifier le coefficient avec l'ordonnance")


def aud_4_duplicates(ctx: _Context, seances: list[SeanceInfo]) -> None:
    """AUD-4: the same act billed twice for the same patient at the same date
    and time by two séances (a duplicate séance), whoever entered it. Two
    identical acts within one séance are art. 11B's business (AUD-9)."""
    seen: dict[tuple, SeanceInfo] = {}
    for seance in seances:
        keys = {(seance.patient, seance.date, seance.time, line.code, line.coefficient)
                for line in seance.billed_lines if line.is_act}
        for key in sorted(keys, key=str):
            first = seen.get(key)
            if first is not None:
                code = key[3] + (f" {key[4].normalize():f}" if key[4] is not None else "")
                ctx.add("AUD-4", seance, ERROR,
                        f"{code} déjà facturé pour ce patient le {seance.date:%d/%m/%Y} à "
                        f"{seance.time:%H:%M} (séance {first.id})",
                        "supprimer la séance en double")
                break
        for key in keys:
            seen.setdefault(key, seance)


def aud_5_one_bsi_forfait_a_day(ctx: _Context, seances: list[SeanceInfo]) -> None:
    """AUD-5: one BSI forfait per patient and per day, across séances and
    nurses (NGAP-BSI-1)."""
    first: dict[tuple, SeanceInfo] = {}
    for seance in seances:
        for line in seance.billed_lines:
            if line.code not in BSI_FORFAITS:
                continue
            key = (seance.patient, seance.date)
            if key in first:
                ctx.add("AUD-5", seance, ERROR,
                        f"Second forfait BSI ({line.code}) le {seance.date:%d/%m/%Y} pour ce "
                        f"patient (déjà facturé séance {first[key].id})",
                        "retirer le forfait en double (un seul par patient et par jour)")
                break
            first[key] = seance


def aud_6_bsi_current(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-6: a BSI forfait for a patient without a BSI, or whose BSI is more
    than 12 months old on the day of care (NGAP-BSI-3) — warning."""
    forfaits = [line for line in seance.billed_lines if line.code in BSI_FORFAITS]
    if not forfaits:
        return
    patient = ctx.patients.get(seance.patient)
    if patient is None or patient.bsi_level is None or patient.bsi_date is None:
        ctx.add("AUD-6", seance, WARNING, "Forfait BSI facturé sans BSI enregistré pour ce patient",
                "réaliser le BSI (DI) et l'enregistrer")
        return
    if seance.date > add_months(patient.bsi_date, BSI_VALIDITY_MONTHS):
        ctx.add("AUD-6", seance, WARNING,
                f"BSI du {patient.bsi_date:%d/%m/%Y} de plus de 12 mois : renouvellement dû",
                "renouveler le BSI")


def aud_7_night_sunday_prescribed(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-7: a night majoration needs a prescription of imperative night
    execution, a Sunday/holiday majoration one of rigorously daily care,
    unless the séance is an urgent call (NGAP-14-3)."""
    if seance.urgent_call:
        return
    prescription = ctx.prescription(seance)
    codes = {line.code for line in seance.billed_lines}
    if codes & NIGHT_CODES and not (prescription and prescription.night):
        ctx.add("AUD-7", seance, ERROR,
                "Majoration de nuit sans prescription d'exécution de nuit impérative ni appel "
                "urgent", "retirer la majoration de nuit ou joindre la prescription qui l'impose")
    if codes & SUNDAY_CODES and not (prescription and prescription.daily):
        ctx.add("AUD-7", seance, ERROR,
                "Majoration dimanche/férié sans prescription de soins rigoureusement quotidiens "
                "ni appel urgent",
                "retirer la majoration du dimanche ou joindre la prescription qui l'impose")


def aud_8_travel(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-8: no travel at the cabinet; no IFD/IK unless the prescription says
    care at home (NGAP-13-1)."""
    travel = sorted({line.code for line in seance.billed_lines if line.code in TRAVEL_CODES})
    if not travel:
        return
    if seance.place == "cabinet":
        ctx.add("AUD-8", seance, ERROR,
                f"Déplacement ({', '.join(travel)}) facturé pour un soin au cabinet",
                f"retirer {', '.join(travel)}")
        return
    prescription = ctx.prescription(seance)
    home_only = [code for code in travel if code in ("IFD", "IK")]
    if prescription is not None and not prescription.home and home_only:
        ctx.add("AUD-8", seance, ERROR,
                f"{', '.join(home_only)} facturé(s) alors que l'ordonnance ne prescrit pas de "
                "soins à domicile",
                f"retirer {', '.join(home_only)} ou joindre une ordonnance « à domicile »")


def _signature(lines: Iterable[BilledLine]) -> list[tuple]:
    return sorted((line.code, line.coefficient, line.rate, line.amount) for line in lines)


def aud_9_engine_agrees(ctx: _Context, seance: SeanceInfo) -> None:
    """AUD-9: the billed lines are what the NGAP engine computes from the
    séance's facts (codes, coefficients, rates, amounts); the finding shows
    both cotations."""
    billed = seance.billed_lines
    billed_texts = [line.text() for line in billed]
    if seance.passage is None:
        ctx.add("AUD-9", seance, ERROR,
                f"Cotation impossible : {seance.pricing_error or 'faits du passage manquants'}",
                "corriger la saisie du passage", engine=[], billed=billed_texts)
        return
    try:
        quote = engine.quote(seance.passage, ctx.tariffs)
    except QuoteError as exc:
        ctx.add("AUD-9", seance, ERROR, f"Cotation impossible : {exc.message}",
                "corriger la saisie du passage", engine=[], billed=billed_texts)
        return
    expected = [BilledLine(line.code, line.coefficient, line.rate, line.amount)
                for line in quote.lines]
    expected = [line for line in expected if line.billed]
    if _signature(expected) == _signature(billed):
        return
    engine_texts = [line.text() for line in expected]
    extra = [t for t in billed_texts if t not in engine_texts]
    missing = [t for t in engine_texts if t not in billed_texts]
    parts = []
    if extra:
        parts.append("facturé en trop ou autrement : " + ", ".join(extra))
    if missing:
        parts.append("attendu par la NGAP : " + ", ".join(missing))
    action = "facturer la cotation calculée"
    if any(t.startswith("MAU") for t in extra):
        action = "retirer la MAU"
    elif any(t.startswith("MAU") for t in missing):
        action = "ajouter la MAU"
    ctx.add("AUD-9", seance, ERROR,
            "La cotation facturée diffère de celle du moteur NGAP (" + " ; ".join(parts) + ")",
            action, engine=engine_texts, billed=billed_texts)


def aud_10_tournee(ctx: _Context, seances: list[SeanceInfo]) -> None:
    """AUD-10: per nurse and day, no more IFD/IFI than passages in her
    tournée, no more IK km than the day's route (when the tournée is known)."""
    tournees = {(t.nurse, t.date): t for t in ctx.data.tournees}
    if not tournees:
        return
    by_day: dict[tuple, list[SeanceInfo]] = defaultdict(list)
    for seance in seances:
        if (seance.nurse, seance.date) in tournees:
            by_day[(seance.nurse, seance.date)].append(seance)
    for key, day in by_day.items():
        tournee = tournees[key]
        day.sort(key=lambda s: s.time)
        forfaits = km = ZERO
        flagged_forfaits = flagged_km = False
        for seance in day:
            for line in seance.billed_lines:
                if line.code in ("IFD", "IFI"):
                    forfaits += 1
                elif line.code == "IK" and line.coefficient is not None:
                    km += line.coefficient
            if forfaits > tournee.passages and not flagged_forfaits:
                ctx.add("AUD-10", seance, ERROR,
                        f"{forfaits} indemnités de déplacement (IFD/IFI) pour "
                        f"{tournee.passages} passage(s) dans la tournée du "
                        f"{tournee.date:%d/%m/%Y}",
                        "retirer les IFD/IFI en trop")
                flagged_forfaits = True
            if km > tournee.km and not flagged_km:
                ctx.add("AUD-10", seance, ERROR,
                        f"{km.normalize():f} km d'IK facturés pour un trajet de "
                        f"{tournee.km.normalize():f} km le {tournee.date:%d/%m/%Y}",
                        "corriger les kilomètres facturés")
                flagged_km = True


def aud_11_day_length(ctx: _Context, seances: list[SeanceInfo]) -> None:
    """AUD-11: a nurse's billed day cannot imply more than 12 h of care, nor
    séances overlapping in time at different addresses — warning."""
    by_day: dict[tuple, list[SeanceInfo]] = defaultdict(list)
    for seance in seances:
        if seance.nurse is not None:
            by_day[(seance.nurse, seance.date)].append(seance)
    for day in by_day.values():
        day.sort(key=lambda s: (s.time, str(s.id)))
        total = 0
        previous_end = None
        previous = None
        over = False
        for seance in day:
            minutes = sum(act_minutes(line.code, line.coefficient)
                          for line in seance.billed_lines if line.is_act)
            total += minutes
            start = datetime.combine(seance.date, seance.time)
            if (previous is not None and previous_end is not None and start < previous_end
                    and previous.patient != seance.patient
                    and not seance.shared_travel_with_previous):
                ctx.add("AUD-11", seance, WARNING,
                        f"Séance à {seance.time:%H:%M} pendant la précédente (séance "
                        f"{previous.id}, jusqu'à {previous_end:%H:%M}) à une autre adresse",
                        "vérifier l'heure des passages")
            end = start + timedelta(minutes=minutes)
            if previous_end is None or end > previous_end:
                previous_end = end
            previous = seance
            if total > MAX_CARE_MINUTES and not over:
                ctx.add("AUD-11", seance, WARNING,
                        f"Journée facturée de {total // 60} h {total % 60:02d} de soins "
                        f"(plus de 12 h)", "vérifier les séances de la journée")
                over = True


PER_SEANCE: tuple[Callable[[_Context, SeanceInfo], None], ...] = (
    aud_1_prescription_lists_the_act,
    aud_2_within_the_prescription,
    aud_3_prescribed_coefficient,
    aud_6_bsi_current,
    aud_7_night_sunday_prescribed,
    aud_8_travel,
    aud_9_engine_agrees,
)
ACROSS_SEANCES = (aud_4_duplicates, aud_5_one_bsi_forfait_a_day, aud_10_tournee,
                  aud_11_day_length)


def run_audit(data: AuditInput, tariffs: TariffTable | None = None) -> AuditResult:
    """Every check on every séance; findings in séance order, then rule."""
    ctx = _Context(data, tariffs)
    ordered = sorted(data.seances, key=lambda s: (s.date, s.time))
    for seance in ordered:
        for check in PER_SEANCE:
            check(ctx, seance)
    for check in ACROSS_SEANCES:
        check(ctx, ordered)
    position = {s.id: i for i, s in enumerate(data.seances)}
    ctx.findings.sort(key=lambda f: (position.get(f.seance, 0), int(f.rule.split("-")[1])))
    return AuditResult(ctx.findings)
