"""From done visits to séances: the hand-off from the tournées to billing.

`visit_completed(visit=…)` prices the visit with the NGAP engine into its
`Seance` (one per visit) and re-prices the other séances of the same day that
depend on it — the same nurse's (IK daily cap, NGAP-IKCAP-1) and the same
patient's (one BSI forfait per patient and per day, NGAP-BSI-1) — in
chronological order. `visit_reopened(visit=…)` cancels the séance. Both run
inside the transaction that changed the visit (cabinet.signals) and write an
audit row for every séance they create or change. An invoiced séance is never
changed again: the change is flagged for review instead.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cabinet.models import Visit
from cabinet.routing import haversine_m
from core import audit
from core.models import Cabinet

from .models import Seance, SeanceLine, SeanceSource, SeanceStatus
from .ngap import catalogue, engine, jsonio
from .ngap.model import QuoteError

SHARED_TRAVEL_MINUTES = 60


# ---------------------------------------------------------------- the facts


def _care_time(visit: Visit):
    if visit.done_at is not None:
        done = timezone.localtime(visit.done_at)
        if done.date() == visit.date:
            return done.time().replace(second=0, microsecond=0)
    for value in (visit.planned_time, visit.preferred_time, visit.window_start):
        if value is not None:
            return value.replace(second=0, microsecond=0)
    return None


def _distance_km(cabinet: Cabinet | None, patient) -> Decimal | None:
    """One-way distance cabinet → patient: straight line × the road factor of
    the tournées, to the nearest km (an estimate the secretary may correct)."""
    if cabinet is None or None in (cabinet.latitude, cabinet.longitude,
                                   patient.latitude, patient.longitude):
        return None
    meters = haversine_m((float(cabinet.latitude), float(cabinet.longitude)),
                         (float(patient.latitude), float(patient.longitude)))
    km = Decimal(str(meters * settings.ROUTING_ROAD_FACTOR / 1000))
    return km.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _same_agglomeration(cabinet: Cabinet | None, patient) -> bool:
    """Agglomeration estimated by the commune (same postcode and city)."""
    if cabinet is None:
        return False
    return (cabinet.postcode.strip() == patient.postcode.strip()
            and cabinet.city.strip().casefold() == patient.city.strip().casefold())


def _ald_covers(patient, day: date) -> bool:
    # The decision known when pricing, not on the day of care: once agreed,
    # care given while the protocol was waiting is covered too (R-ALD-10).
    return any(ald.covers_care_on(day) for ald in patient.alds.all())


def _number(value):
    if value in (None, ""):
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _act_json(act: dict) -> dict:
    out: dict = {"key": (act.get("key") or "").strip().upper() or None,
                 "label": (act.get("label") or "")[:255]}
    act_id = (act.get("catalogue_id") or "").strip().upper()
    if act_id and catalogue.get(act_id) is not None:
        out["id"] = act_id
        if not out["key"]:
            out["key"] = catalogue.get(act_id).key
    coefficient = _number(act.get("coefficient"))
    if out["key"] in catalogue.EURO_FORFAITS:
        coefficient = None
    elif coefficient is None and act_id and catalogue.get(act_id) is not None:
        coefficient = _number(catalogue.get(act_id).coefficient)
    out["coefficient"] = coefficient
    zone = act.get("ald_zone") or ""
    if zone in ("upper", "lower"):
        out["ald_zone"] = zone
    return out


@dataclasses.dataclass
class _Facts:
    passage: dict  # the ngap_quote input shape
    options: dict  # territory, alsace_moselle, home_care_prescribed
    notes: list


def visit_facts(visit: Visit, cabinet: Cabinet | None) -> _Facts:
    """The passage facts of a done visit (without the day context)."""
    patient = visit.patient
    notes: list[str] = []
    prescription = visit.care_plan.prescription if visit.care_plan_id else None
    distance = _distance_km(cabinet, patient)
    if distance is None:
        distance = Decimal(0)
        notes.append("Distance cabinet – patient inconnue (adresse non localisée) : IK non "
                     "calculées, à saisir.")
    same_agglomeration = _same_agglomeration(cabinet, patient)
    if same_agglomeration:
        notes.append("Même commune que le cabinet : agglomération commune présumée, pas d'IK "
                     "(NGAP-13-3).")
    ald = _ald_covers(patient, visit.date)
    time = _care_time(visit)
    passage = {
        "date": visit.date.isoformat(),
        "time": time.strftime("%H:%M") if time else "",
        "place": "domicile",
        "zone": cabinet.zone if cabinet else "plaine",
        "distance_km": _number(distance),
        "same_agglomeration": same_agglomeration,
        "patient": {"birth_date": patient.birth_date.isoformat(),
                    "bsi_level": patient.bsi_level or None, "ald": ald, "id": str(patient.pk)},
        "acts": [_act_json(a) for a in (visit.performed_acts or [])],
        "urgent_night_prescribed": bool(prescription and prescription.night_required),
        "sunday_holiday_prescribed": bool(prescription and prescription.rigorously_daily),
        "urgent_call": False,
        "palliative": False,
        "coverage": "ald" if ald else "standard",
        "care_related_to_ald": False,  # per act, from the bizone zone (R-ALD-13)
        "shared_travel_with_previous_patient": False,
        "ik_km_already_billed_today": 0,
        "bsi_forfait_already_billed_today": False,
    }
    options = {
        "territory": "dom" if cabinet and cabinet.overseas else "metropole",
        "alsace_moselle": bool(cabinet and cabinet.alsace_moselle),
        "home_care_prescribed": bool(prescription.at_home) if prescription else True,
    }
    return _Facts(passage, options, notes)


def _passage(facts: dict, options: dict):
    parsed = jsonio.parse_passage(
        jsonio.loads(json.dumps(facts)), territory=options["territory"],
        alsace_moselle=options["alsace_moselle"],
    )
    return dataclasses.replace(parsed, home_care_prescribed=options["home_care_prescribed"])


# ---------------------------------------------------------------- pricing


def _address(patient) -> tuple[str, str]:
    return (" ".join(patient.address.casefold().split()), patient.postcode.strip())


def _minutes(t) -> int:
    return t.hour * 60 + t.minute


def _reprice_day(day: date, *, nurse_ids: set, patient_ids: set, acting_user,
                 trigger: Seance | None, cabinet: Cabinet | None) -> None:
    """Re-price, in chronological order, the active séances of `day` of the
    given nurses or patients; the others only give their context."""
    seances = list(
        Seance.objects.select_for_update(of=("self",))
        .filter(date=day)
        .select_related("visit__care_plan__prescription", "patient")
        .prefetch_related("patient__alds", "lines")
        .order_by("pk")
    )
    active = [s for s in seances if s.status != SeanceStatus.CANCELLED]
    active.sort(key=lambda s: (s.time, s.visit_id))
    ik_by_nurse: dict = {}
    forfait_patients: set = set()
    previous_by_nurse: dict = {}
    for seance in active:
        concerned = seance.nurse_id in nurse_ids or seance.patient_id in patient_ids
        if concerned and not seance.is_invoiced:
            _price(seance, cabinet=cabinet, acting_user=acting_user,
                   ik_before=ik_by_nurse.get(seance.nurse_id, Decimal(0)),
                   forfait_today=seance.patient_id in forfait_patients,
                   previous=previous_by_nurse.get(seance.nurse_id),
                   is_trigger=trigger is not None and seance.pk == trigger.pk)
        ik_by_nurse[seance.nurse_id] = ik_by_nurse.get(seance.nurse_id, Decimal(0)) + seance.ik_km
        if seance.status == SeanceStatus.PRICED and any(
            line.code in catalogue.BSI_FORFAITS and line.rate for line in seance.lines.all()
        ):
            forfait_patients.add(seance.patient_id)
        previous_by_nurse[seance.nurse_id] = seance


def _price(seance: Seance, *, cabinet, acting_user, ik_before: Decimal, forfait_today: bool,
           previous: Seance | None, is_trigger: bool) -> None:
    visit = seance.visit
    facts = visit_facts(visit, cabinet)
    passage = facts.passage
    passage["ik_km_already_billed_today"] = _number(ik_before)
    passage["bsi_forfait_already_billed_today"] = forfait_today
    if (previous is not None and previous.patient_id != seance.patient_id
            and _address(previous.patient) == _address(seance.patient)
            and 0 <= _minutes(seance.time) - _minutes(previous.time) <= SHARED_TRAVEL_MINUTES):
        passage["shared_travel_with_previous_patient"] = True
        facts.notes.append("Patient à la même adresse que le précédent, dans le même déplacement "
                           "(NGAP-13-2).")
    before = _snapshot(seance)
    try:
        if not passage["time"]:
            raise QuoteError("heure du passage inconnue", "time")
        result = engine.quote(_passage(passage, facts.options))
    except QuoteError as exc:
        _store_error(seance, exc, facts)
    else:
        _store(seance, result, facts)
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
        visit=visit.pk, total=str(seance.total), error=seance.error,
        lines=[f"{ln['code']} {ln['coefficient'] or ''} × {ln['rate']} = {ln['amount']}"
               for ln in after[2]],
    )


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


def _store(seance: Seance, result, facts: _Facts) -> None:
    seance.status = SeanceStatus.PRICED
    seance.error = ""
    seance.facts = {"passage": facts.passage, "options": facts.options}
    seance.total, seance.amo, seance.patient_share = result.total, result.amo, result.patient_share
    seance.amo_rate = result.amo_rate
    seance.amo_rules = list(result.amo_rules)
    seance.ik_km = result.ik_km
    seance.tariff_version = result.tariff_version
    seance.territory = result.territory
    seance.warnings = list(result.warnings)
    seance.notes = facts.notes + list(result.notes)
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


def _store_error(seance: Seance, exc: QuoteError, facts: _Facts) -> None:
    seance.status = SeanceStatus.ERROR
    seance.error = f"{exc.message} ({exc.field})" if exc.field else exc.message
    seance.facts = {"passage": facts.passage, "options": facts.options}
    seance.total = seance.amo = seance.patient_share = Decimal(0)
    seance.amo_rate = None
    seance.ik_km = Decimal(0)
    seance.warnings, seance.notes, seance.uncertain_rules, seance.amo_rules = [], facts.notes, [], []
    seance.priced_at = timezone.now()
    seance.save()
    seance.lines.all().delete()
    _refresh_lines(seance)


def _refresh_lines(seance: Seance) -> None:
    # The prefetched lines are stale after a rewrite.
    if hasattr(seance, "_prefetched_objects_cache"):
        seance._prefetched_objects_cache.pop("lines", None)


# ---------------------------------------------------------------- entry points


def _performer_id(visit: Visit, acting_user) -> int | None:
    """Who performed the care: the visit's nurse (or its tournée's)."""
    if visit.nurse_id:
        return visit.nurse_id
    if visit.tournee_id:
        return visit.tournee.nurse_id
    return getattr(acting_user, "pk", None) if getattr(acting_user, "is_nurse", False) else None


def _billing_nurse_id(visit: Visit, acting_user) -> int | None:
    """The nurse the care is billed under (FAC-1): the titulaire a remplaçant's
    visit is billed on behalf of, else the nurse who performed it."""
    return visit.on_behalf_of_id or _performer_id(visit, acting_user)


def _visit_prescription_id(visit: Visit) -> int | None:
    return visit.care_plan.prescription_id if visit.care_plan_id else None


@transaction.atomic
def _keep_invoiced(seance: Seance, *, acting_user, visit: Visit, reason: str) -> Seance:
    """An invoiced séance never changes silently: the change is flagged and
    audited, and the séance stays as invoiced."""
    seance.changed_after_invoice = True
    seance.save(update_fields=["changed_after_invoice", "updated_at"])
    audit.record(actor=acting_user, action="seance.locked", obj=seance,
                 patient_id=seance.patient_id, visit=visit.pk, reason=reason)
    return seance


@transaction.atomic
def visit_completed(*, visit: Visit, acting_user) -> Seance | None:
    """The visit is done (or a done visit was edited): its séance is priced
    (created once, updated while not invoiced) and its day re-priced.

    A passage where no NGAP act was performed bills nothing, travel included:
    IFD and IK only accompany billed care (NGAP-13-1), and a follow-up under a
    cooperation protocol is paid by the protocol's own forfait, never with
    travel indemnities (R-PAPH-9)."""
    visit = Visit.objects.select_related("patient", "care_plan__prescription", "tournee").get(
        pk=visit.pk)
    if not visit.performed_acts:
        return visit_reopened(visit=visit, acting_user=acting_user)
    cabinet = Cabinet.current()
    seance = Seance.objects.select_for_update().filter(visit=visit).first()
    if seance is not None and seance.is_invoiced:
        return _keep_invoiced(seance, acting_user=acting_user, visit=visit,
                              reason="passage modifié après facturation : séance inchangée")
    time = _care_time(visit)
    old_day = None
    if seance is None:
        seance = Seance.objects.create(
            visit=visit, source=SeanceSource.VISIT, patient=visit.patient,
            nurse_id=_billing_nurse_id(visit, acting_user),
            performed_by_id=_performer_id(visit, acting_user),
            prescription_id=_visit_prescription_id(visit),
            entered_by=acting_user if getattr(acting_user, "pk", None) else None,
            date=visit.date, time=time or visit.window_start,
        )
    else:
        old_day = seance.date if seance.date != visit.date else None
        seance.patient = visit.patient
        seance.nurse_id = _billing_nurse_id(visit, acting_user) or seance.nurse_id
        seance.performed_by_id = _performer_id(visit, acting_user) or seance.performed_by_id
        seance.prescription_id = _visit_prescription_id(visit)
        seance.date = visit.date
        seance.time = time or seance.time
        if seance.status == SeanceStatus.CANCELLED:
            seance.status = SeanceStatus.PRICED
            seance.priced_at = None  # priced again: a new "priced" audit row
        seance.save()
    _reprice_day(visit.date, nurse_ids={seance.nurse_id}, patient_ids={seance.patient_id},
                 acting_user=acting_user, trigger=seance, cabinet=cabinet)
    if old_day is not None:
        _reprice_day(old_day, nurse_ids={seance.nurse_id}, patient_ids={seance.patient_id},
                     acting_user=acting_user, trigger=None, cabinet=cabinet)
    seance.refresh_from_db()
    return seance


@transaction.atomic
def visit_reopened(*, visit: Visit, acting_user) -> Seance | None:
    """A done visit was set back: its séance is cancelled (unless invoiced)
    and the rest of its day re-priced."""
    seance = Seance.objects.select_for_update().filter(visit_id=visit.pk).first()
    if seance is None:
        return None
    if seance.is_invoiced:
        return _keep_invoiced(seance, acting_user=acting_user, visit=visit,
                              reason="passage rouvert après facturation : séance inchangée")
    if seance.status != SeanceStatus.CANCELLED:
        seance.status = SeanceStatus.CANCELLED
        seance.total = seance.amo = seance.patient_share = Decimal(0)
        seance.ik_km = Decimal(0)
        seance.save()
        seance.lines.all().delete()
        audit.record(actor=acting_user, action="seance.cancelled", obj=seance,
                     patient_id=seance.patient_id, visit=visit.pk)
        _reprice_day(seance.date, nurse_ids={seance.nurse_id}, patient_ids={seance.patient_id},
                     acting_user=acting_user, trigger=None, cabinet=Cabinet.current())
    return seance

