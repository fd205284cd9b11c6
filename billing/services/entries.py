"""The secretary's act entry: a passage entered by hand becomes a séance
exactly like a done visit's — same facts builder, same `price_day`.

`save_entry` creates (or edits, while it is not invoiced) a séance without a
visit, audited and versioned (`row_version`: a concurrent edit is refused,
never overwritten); `preview_entry` gives the cotation the entry would get if
saved now, day context included, without keeping anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from django.db import transaction

from core import audit
from core.models import Cabinet
from core.versioning import STALE_MESSAGE

from ..models import Seance, SeanceSource, SeanceStatus
from .pricing import price_day
from .visits import cancel_seance


class EntryError(Exception):
    """An entry that cannot be saved; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class EntryData:
    """What the secretary entered for one passage. `acts` in the cabinet's
    shape: [{"catalogue_id", "key", "coefficient", "label", "ald_zone"}];
    `distance_km` None = estimated from the patient's address."""

    patient: object
    date: date
    time: time
    nurse: object  # billing nurse (FAC-1)
    performed_by: object
    prescription: object | None
    acts: list[dict]
    place: str = "domicile"
    urgent_call: bool = False
    palliative: bool = False
    urgent_night_prescribed: bool = False
    sunday_holiday_prescribed: bool = False
    distance_km: Decimal | None = None

    def entry_json(self) -> dict:
        return {
            "acts": [dict(a) for a in self.acts],
            "place": self.place,
            "urgent_call": self.urgent_call,
            "palliative": self.palliative,
            "urgent_night_prescribed": self.urgent_night_prescribed,
            "sunday_holiday_prescribed": self.sunday_holiday_prescribed,
            "distance_km": None if self.distance_km is None else str(self.distance_km),
        }


@dataclass
class Preview:
    """The cotation an entry would get: lines as dicts, totals, messages."""

    status: str
    error: str
    lines: list[dict] = field(default_factory=list)
    total: Decimal = Decimal(0)
    amo: Decimal = Decimal(0)
    patient_share: Decimal = Decimal(0)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    uncertain_rules: list[str] = field(default_factory=list)
    distance_km: Decimal | None = None


def _editable(seance: Seance, expected_version: int | None) -> None:
    if seance.source != SeanceSource.ENTRY:
        raise EntryError("Cette séance vient d'un passage de tournée : modifiez le passage.")
    if seance.is_invoiced:
        raise EntryError("Séance déjà facturée : elle ne peut plus être modifiée.")
    if seance.status == SeanceStatus.CANCELLED:
        raise EntryError("Séance annulée : elle ne peut plus être modifiée.")
    # S-DATA-2: a form that does not say which version it was opened on is
    # refused like a stale one (it would overwrite whatever was saved since).
    if expected_version is None or seance.row_version != expected_version:
        raise EntryError(STALE_MESSAGE)


@transaction.atomic
def save_entry(*, acting_user, data: EntryData, seance: Seance | None = None,
               expected_version: int | None = None) -> Seance:
    """Create (or edit) an entered séance and price its day with `price_day`."""
    old_day = old_nurse = old_patient = None
    if seance is None:
        seance = Seance(source=SeanceSource.ENTRY, entered_by=acting_user)
        action = "seance.entered"
    else:
        seance = Seance.objects.select_for_update().get(pk=seance.pk)
        _editable(seance, expected_version)
        old_day, old_nurse, old_patient = seance.date, seance.nurse_id, seance.patient_id
        seance.row_version += 1
        action = "seance.edited"
    seance.patient = data.patient
    seance.date, seance.time = data.date, data.time.replace(second=0, microsecond=0)
    seance.nurse = data.nurse
    seance.performed_by = data.performed_by
    seance.prescription = data.prescription
    seance.entry = data.entry_json()
    seance.save()
    # Ids only: no clinical value in the audit trail.
    audit.record(actor=acting_user, action=action, obj=seance, patient_id=seance.patient_id,
                 nurse=seance.nurse_id, performed_by=seance.performed_by_id,
                 prescription=seance.prescription_id, date=seance.date.isoformat())
    cabinet = Cabinet.current()
    nurses = {seance.nurse_id, old_nurse} - {None}
    patients = {seance.patient_id, old_patient} - {None}
    price_day(day=seance.date, nurse_ids=nurses, patient_ids=patients, acting_user=acting_user,
              trigger=seance, cabinet=cabinet)
    if old_day is not None and old_day != seance.date:
        price_day(day=old_day, nurse_ids=nurses, patient_ids=patients, acting_user=acting_user,
                  cabinet=cabinet)
    seance.refresh_from_db()
    return seance


@transaction.atomic
def cancel_entry(*, acting_user, seance: Seance, expected_version: int | None = None) -> Seance:
    """Cancel an entered séance not invoiced (its day is re-priced)."""
    seance = Seance.objects.select_for_update().get(pk=seance.pk)
    _editable(seance, expected_version)
    cancel_seance(seance=seance, acting_user=acting_user)
    return seance


class _Rollback(Exception):
    pass


def preview_entry(*, acting_user, data: EntryData, seance: Seance | None = None) -> Preview:
    """The cotation `save_entry` would give now (same path, day context
    included), computed inside a savepoint that is rolled back."""
    result: Preview | None = None
    try:
        with transaction.atomic():
            saved = save_entry(acting_user=acting_user, data=data, seance=seance,
                               expected_version=seance.row_version if seance else None)
            lines = [
                {"code": ln.code, "label": ln.label, "coefficient": ln.coefficient,
                 "rate": ln.rate, "amount": ln.amount, "rules": list(ln.rules), "zone": ln.zone}
                for ln in saved.lines.all()
            ]
            distance = (saved.facts.get("passage") or {}).get("distance_km")
            result = Preview(
                status=saved.status, error=saved.error, lines=lines, total=saved.total,
                amo=saved.amo, patient_share=saved.patient_share, warnings=list(saved.warnings),
                notes=list(saved.notes), uncertain_rules=list(saved.uncertain_rules),
                distance_km=None if distance is None else Decimal(str(distance)),
            )
            raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result
