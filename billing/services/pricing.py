"""The one pricing path: `price_day` prices the séances of a day with the
engine's own day function (`engine.quote_day`), nurse by nurse, and stores
their lines. Every séance — from a done visit or entered by the secretary —
is priced here; the day rules live in the engine only:

- the IK daily cap counts each nurse's kilometres over her day, in
  chronological order (NGAP-IKCAP-1);
- one BSI forfait per patient and per day (NGAP-BSI-1), across nurses.

An invoiced séance never changes: it is context only (its stored kilometres
and forfait count for the others). A séance the engine cannot price is
stored in error, with the message at its field, and the rest of the day is
priced without it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

from django.utils import timezone

from core import audit
from core.models import Cabinet

from ..models import Seance, SeanceLine, SeanceStatus
from ..ngap import engine, jsonio
from ..ngap.model import Passage, Quote, QuoteError
from . import facts as F

ZERO = Decimal(0)
SHARED_TRAVEL_MINUTES = 60
_DAY_FIELD = re.compile(r"^seances\[(\d+)\]\.?(.*)$")


@dataclasses.dataclass
class _Work:
    seance: Seance
    concerned: bool  # re-priced and stored by this run
    facts: F.Facts | None = None
    error: QuoteError | None = None
    quote: Quote | None = None
    previous: Seance | None = None  # the nurse's previous séance of the day

    @property
    def forfait_billed(self) -> bool:
        if self.quote is not None:
            return self.quote.bsi_forfait_billed
        if self.concerned:  # re-priced in error, or not yet quoted
            return False
        return self.seance.status == SeanceStatus.PRICED and self.seance.bsi_forfait_billed


def _order(seance: Seance):
    # Chronological; visits by visit id at the same minute, entries after.
    return (seance.time, seance.visit_id is None, seance.visit_id or 0, seance.pk)


def seance_facts(seance: Seance, cabinet: Cabinet | None) -> F.Facts:
    """The facts of a séance from the models: its visit's, or what the
    secretary entered."""
    if seance.visit_id is not None:
        return F.visit_facts(seance.visit, cabinet)
    entry = seance.entry or {}
    distance = entry.get("distance_km")
    return F.passage_facts(
        patient=seance.patient, cabinet=cabinet, day=seance.date, at=seance.time,
        acts=list(entry.get("acts") or []), prescription=seance.prescription,
        place=entry.get("place") or "domicile",
        urgent_call=bool(entry.get("urgent_call")), palliative=bool(entry.get("palliative")),
        urgent_night_prescribed=bool(entry.get("urgent_night_prescribed")),
        sunday_holiday_prescribed=bool(entry.get("sunday_holiday_prescribed")),
        distance=None if distance in (None, "") else Decimal(str(distance)),
    )


def _address(patient) -> tuple[str, str]:
    return (" ".join(patient.address.casefold().split()), patient.postcode.strip())


def _minutes(t) -> int:
    return t.hour * 60 + t.minute


def _shares_travel(previous: Seance | None, seance: Seance) -> bool:
    """Same address as the nurse's previous patient, within the hour: one
    travel for both (NGAP-13-2)."""
    return (previous is not None and previous.patient_id != seance.patient_id
            and _address(previous.patient) == _address(seance.patient)
            and 0 <= _minutes(seance.time) - _minutes(previous.time) <= SHARED_TRAVEL_MINUTES)


def _quote_segment(segment: list[_Work], ik_before: Decimal, all_work: list[_Work]) -> Decimal:
    """Quote consecutive séances of one nurse with `engine.quote_day`; the
    kilometres already billed before them and the forfaits billed by séances
    outside the segment are given as the passages' day facts. Returns the
    nurse's kilometres after the segment."""
    pending = list(segment)
    while pending:
        keys = {id(w) for w in pending}
        passages: list[Passage] = []
        for i, work in enumerate(pending):
            s = work.seance
            forfait_elsewhere = any(
                other.seance.patient_id == s.patient_id and id(other) not in keys
                and _order(other.seance) < _order(s) and other.forfait_billed
                for other in all_work
            )
            passages.append(dataclasses.replace(
                work.facts.passage,
                ik_km_already_billed_today=ik_before if i == 0 else ZERO,
                bsi_forfait_already_billed_today=forfait_elsewhere,
            ))
        try:
            day = engine.quote_day(passages)
        except QuoteError as exc:
            match = _DAY_FIELD.match(exc.field or "")
            if match is None:
                raise
            failed = pending.pop(int(match.group(1)))
            failed.error = QuoteError(exc.message, match.group(2))
            failed.quote = None
            continue
        for work, quote in zip(pending, day.seances, strict=True):
            work.quote, work.error = quote, None
        return day.ik_km
    return ik_before


def _quote_nurse(works: list[_Work], all_work: list[_Work]) -> None:
    """A nurse's day, in order: segments of re-priced séances between the
    fixed ones (invoiced, or not concerned), whose stored km count."""
    running = ZERO
    segment: list[_Work] = []
    for work in works:
        if work.concerned and work.facts is not None and work.error is None:
            segment.append(work)
        elif work.concerned:
            continue  # cannot be priced: no km, no forfait
        else:
            running = _quote_segment(segment, running, all_work) if segment else running
            segment = []
            running += work.seance.ik_km if work.seance.status == SeanceStatus.PRICED else ZERO
    if segment:
        _quote_segment(segment, running, all_work)


def price_day(*, day: date, nurse_ids: set, patient_ids: set, acting_user,
              trigger: Seance | None = None, cabinet: Cabinet | None = None) -> None:
    """Re-price, in chronological order, the active séances of `day` of the
    given (billing) nurses or patients; the others only give their context.
    Writes an audit row for each séance that changed (and for `trigger`)."""
    if cabinet is None:
        cabinet = Cabinet.current()
    seances = list(
        Seance.objects.select_for_update(of=("self",))
        .filter(date=day)
        .exclude(status=SeanceStatus.CANCELLED)
        .select_related("visit__care_plan__prescription", "patient", "prescription")
        .prefetch_related("patient__alds", "lines")
    )
    seances.sort(key=_order)
    works: list[_Work] = []
    by_nurse: dict = {}
    for seance in seances:
        concerned = ((seance.nurse_id in nurse_ids or seance.patient_id in patient_ids)
                     and not seance.is_invoiced)
        work = _Work(seance, concerned)
        nurse_works = by_nurse.setdefault(seance.nurse_id, [])
        work.previous = nurse_works[-1].seance if nurse_works else None
        if concerned:
            try:
                work.facts = seance_facts(seance, cabinet)
            except QuoteError as exc:
                work.error = exc
            else:
                if _shares_travel(work.previous, seance):
                    work.facts.passage = dataclasses.replace(
                        work.facts.passage, shared_travel_with_previous_patient=True)
                    work.facts.notes.append("Patient à la même adresse que le précédent, dans le "
                                            "même déplacement (NGAP-13-2).")
        nurse_works.append(work)
        works.append(work)
    nurses = [n for n, ws in by_nurse.items() if any(w.concerned for w in ws)]
    # One BSI forfait a day across nurses: a nurse's day may depend on another
    # nurse's earlier passage at the same patient's; quote until stable.
    for _ in range(len(nurses) + 1):
        before = [(id(w), w.forfait_billed) for w in works]
        for nurse in nurses:
            _quote_nurse(by_nurse[nurse], works)
        if before == [(id(w), w.forfait_billed) for w in works]:
            break
    for work in works:
        if work.concerned:
            _store(work, acting_user=acting_user,
                   is_trigger=trigger is not None and work.seance.pk == trigger.pk)


# ---------------------------------------------------------------- storing


def _snapshot(seance: Seance):
    if seance.priced_at is None and seance.status != SeanceStatus.ERROR:
        return (None, None, [])
    lines = [
        {"code": ln.code, "coefficient": str(ln.coefficient) if ln.coefficient is not None else None,
         "rate": str(ln.rate), "amount": str(ln.amount), "rules": list(ln.rules),
         "amo": str(ln.amo)}
        for ln in seance.lines.all()
    ]
    return (seance.status, str(seance.total), lines, seance.error, seance.facts)


def _stored_facts(work: _Work) -> dict:
    """The facts as priced (day context included), in the `ngap_quote` shape:
    replayable with the command."""
    if work.facts is None:
        return {}
    passage = work.facts.passage
    if work.quote is not None:
        passage = dataclasses.replace(
            passage, ik_km_already_billed_today=work.quote.ik_km_before,
            bsi_forfait_already_billed_today=work.quote.bsi_forfait_before)
    return {"passage": jsonio.passage_json(passage), "options": jsonio.passage_options(passage)}


def _store(work: _Work, *, acting_user, is_trigger: bool) -> None:
    seance = work.seance
    before = _snapshot(seance)
    if work.quote is not None:
        _store_quote(seance, work.quote, work)
    else:
        _store_error(seance, work.error or QuoteError("cotation impossible"), work)
    after = _snapshot(seance)
    if before == after and not is_trigger:
        return
    if seance.status == SeanceStatus.ERROR:
        action = "seance.error"
    elif before[0] is None:
        action = "seance.priced"
    elif before != after:
        action = "seance.repriced"
    else:
        action = "seance.unchanged"
    audit.record(
        actor=acting_user, action=action, obj=seance, patient_id=seance.patient_id,
        visit=seance.visit_id, total=str(seance.total), error=seance.error,
        lines=[f"{ln['code']} {ln['coefficient'] or ''} × {ln['rate']} = {ln['amount']}"
               for ln in after[2]],
    )


def _store_quote(seance: Seance, result: Quote, work: _Work) -> None:
    seance.status = SeanceStatus.PRICED
    seance.error = ""
    seance.facts = _stored_facts(work)
    seance.total, seance.amo, seance.patient_share = result.total, result.amo, result.patient_share
    seance.amo_rate = result.amo_rate
    seance.amo_rules = list(result.amo_rules)
    seance.ik_km = result.ik_km
    seance.bsi_forfait_billed = result.bsi_forfait_billed
    seance.tariff_version = result.tariff_version
    seance.territory = result.territory
    seance.warnings = list(result.warnings)
    seance.notes = work.facts.notes + list(result.notes)
    seance.uncertain_rules = list(result.uncertain_rules)
    seance.priced_at = timezone.now()
    seance.save()
    seance.lines.all().delete()
    SeanceLine.objects.bulk_create([
        SeanceLine(
            seance=seance, position=i, code=line.code, label=line.label[:255], kind=line.kind,
            catalogue_id=line.catalogue_id or "", coefficient=line.coefficient, rate=line.rate,
            unit_value=line.unit_value, amount=line.amount, amo_rate=line.amo_rate, amo=line.amo,
            zone=line.zone or "", rules=list(line.rules), tariff_date=line.tariff_date,
            tariff_source=line.tariff_source,
        )
        for i, line in enumerate(result.lines)
    ])
    _refresh_lines(seance)


def _store_error(seance: Seance, exc: QuoteError, work: _Work) -> None:
    seance.status = SeanceStatus.ERROR
    seance.error = f"{exc.message} ({exc.field})" if exc.field else exc.message
    seance.facts = _stored_facts(work)
    seance.total = seance.amo = seance.patient_share = ZERO
    seance.amo_rate = None
    seance.ik_km = ZERO
    seance.bsi_forfait_billed = False
    seance.warnings, seance.uncertain_rules, seance.amo_rules = [], [], []
    seance.notes = work.facts.notes if work.facts is not None else []
    seance.priced_at = timezone.now()
    seance.save()
    seance.lines.all().delete()
    _refresh_lines(seance)


def _refresh_lines(seance: Seance) -> None:
    # The prefetched lines are stale after a rewrite.
    if hasattr(seance, "_prefetched_objects_cache"):
        seance._prefetched_objects_cache.pop("lines", None)
