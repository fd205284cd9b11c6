"""From done visits to séances: the hand-off from the tournées to billing.

`visit_completed(visit=…)` prices the visit into its `Seance` (one per visit)
with `price_day`, which re-prices the other séances of the same day that
depend on it — the same nurse's (IK daily cap, NGAP-IKCAP-1) and the same
patient's (one BSI forfait per patient and per day, NGAP-BSI-1).
`visit_reopened(visit=…)` cancels the séance. Both are atomic, run inside the
transaction that changed the visit (cabinet.signals) and write an audit row
for every séance they create or change. An invoiced séance is never changed
again: the change is flagged for review instead.

The séance is billed under `visit.on_behalf_of` (the titulaire a remplaçant
replaces, FAC-1) or else the visit's nurse, who is the one who performed it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from cabinet.models import Visit
from core import audit
from core.models import Cabinet

from ..models import Seance, SeanceSource, SeanceStatus
from .facts import care_time
from .pricing import price_day


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
    time = care_time(visit)
    old_day = old_nurse = None
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
        old_nurse = seance.nurse_id
        seance.patient = visit.patient
        seance.nurse_id = _billing_nurse_id(visit, acting_user) or seance.nurse_id
        seance.performed_by_id = _performer_id(visit, acting_user) or seance.performed_by_id
        seance.prescription_id = _visit_prescription_id(visit)
        seance.date = visit.date
        seance.time = time or seance.time
        if seance.status == SeanceStatus.CANCELLED:
            seance.status = SeanceStatus.PRICED
            seance.priced_at = None  # priced again: a new "priced" audit row
        seance.row_version += 1
        seance.save()
    nurses = {seance.nurse_id, old_nurse} - {None} or {seance.nurse_id}
    price_day(day=visit.date, nurse_ids=nurses, patient_ids={seance.patient_id},
              acting_user=acting_user, trigger=seance, cabinet=cabinet)
    if old_day is not None:
        price_day(day=old_day, nurse_ids=nurses, patient_ids={seance.patient_id},
                  acting_user=acting_user, cabinet=cabinet)
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
        cancel_seance(seance=seance, acting_user=acting_user)
    return seance


@transaction.atomic
def cancel_seance(*, seance: Seance, acting_user) -> None:
    """Cancel a séance not invoiced (its lines go) and re-price its day."""
    seance.status = SeanceStatus.CANCELLED
    seance.total = seance.amo = seance.patient_share = Decimal(0)
    seance.ik_km = Decimal(0)
    seance.bsi_forfait_billed = False
    seance.row_version += 1
    seance.save()
    seance.lines.all().delete()
    audit.record(actor=acting_user, action="seance.cancelled", obj=seance,
                 patient_id=seance.patient_id, visit=seance.visit_id)
    price_day(day=seance.date, nurse_ids={seance.nurse_id}, patient_ids={seance.patient_id},
              acting_user=acting_user, cabinet=Cabinet.current())
