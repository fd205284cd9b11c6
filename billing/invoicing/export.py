"""FAC-9: the export boundary. Teletransmission (SESAM-Vitale) needs a
CNDA-approved module and a CPS, out of scope: validated invoices are written
as one JSON document per batch carrying everything an FSE needs, where such a
module plugs in. Format: docs/fse-export.md (`FORMAT`, `VERSION`).

A batch holds the validated invoices (and avoirs) of ONE billing nurse (FSE
numbering is per PS, FAC-3); marking it transmitted sets each invoice to
« transmise » with the batch's date (FAC-4)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing.models import ExportBatch, Invoice, InvoiceStatus
from core import audit

from . import selectors
from .services import InvoiceError

FORMAT = "cabinet-infirmier/fse-export"
VERSION = 1


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _num(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def invoice_json(invoice: Invoice) -> dict:
    snap = invoice.snapshot or {}
    patient = snap.get("patient", {})
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "cancels": invoice.cancels.number if invoice.cancels_id else None,
        "validated_at": invoice.validated_at.isoformat() if invoice.validated_at else None,
        "ps": snap.get("nurse", {}),
        "performers": snap.get("performers", []),
        "beneficiary": {
            "nir": patient.get("nir", ""), "last_name": patient.get("last_name", ""),
            "first_name": patient.get("first_name", ""),
            "birth_date": patient.get("birth_date"),
            "amo_regime": patient.get("amo_regime", ""),
            "amo_caisse_code": patient.get("amo_caisse_code", ""),
        },
        "coverage": invoice.coverage,
        "prescriptions": [
            {"id": p["id"], "date": p["date"], "prescriber": p["prescriber"],
             "at_home": p.get("at_home"), "scan_attached": p.get("scan", False)}
            for p in snap.get("prescriptions", [])
        ],
        "seances": snap.get("seances", []),
        "lines": [
            {"date": line.date.isoformat(),
             "time": line.time.strftime("%H:%M") if line.time else None,
             "seance": line.seance_id, "code": line.code, "label": line.label,
             "coefficient": _num(line.coefficient), "rate": float(line.rate),
             "unit_value": _money(line.unit_value), "amount": _money(line.amount),
             "amo_rate": float(line.amo_rate), "amo": _money(line.amo), "amc": _money(line.amc),
             "patient": _money(line.patient_share), "rules": list(line.rules),
             "tariff_date": line.tariff_date.isoformat()}
            for line in invoice.lines.all()
        ],
        "totals": {"total": _money(invoice.total), "amo": _money(invoice.amo),
                   "amc": _money(invoice.amc), "patient": _money(invoice.patient_share)},
        "tariff_versions": invoice.tariff_versions,
    }


@transaction.atomic
def export_batch(*, acting_user, invoices: list[Invoice]) -> ExportBatch:
    """One batch = the given validated, not yet exported invoices of one
    billing nurse."""
    if not invoices:
        raise InvoiceError("Aucune facture validée à exporter pour cet(te) infirmier(ère).")
    ids = [i.pk for i in invoices]
    locked = list(selectors.invoices_editable_by(acting_user).select_for_update(of=("self",))
                  .filter(pk__in=ids).select_related("cancels").prefetch_related("lines")
                  .order_by("nurse_id", "sequence"))
    if len(locked) != len(ids):
        raise InvoiceError("Facture introuvable ou hors de votre périmètre.")
    if any(i.status != InvoiceStatus.VALIDATED or i.batch_id for i in locked):
        raise InvoiceError("Seules les factures validées, pas encore exportées, s'exportent.")
    nurses = {i.nurse_id for i in locked}
    if len(nurses) != 1:
        raise InvoiceError("Un lot ne contient les factures que d'un(e) seul(e) infirmier(ère).")
    batch = ExportBatch.objects.create(created_by=acting_user, nurse_id=nurses.pop())
    batch.content = {
        "format": FORMAT, "version": VERSION, "batch": batch.pk,
        "created_at": batch.created_at.isoformat(),
        "ps": locked[0].snapshot.get("nurse", {}),
        "invoices": [invoice_json(i) for i in locked],
        "totals": {"count": len(locked),
                   "total": _money(sum((i.total for i in locked), Decimal(0))),
                   "amo": _money(sum((i.amo for i in locked), Decimal(0)))},
    }
    batch.save(update_fields=["content"])
    Invoice.objects.filter(pk__in=ids).update(batch=batch, updated_at=timezone.now())
    audit.record(actor=acting_user, action="fse_export.created", obj=batch,
                 invoices=[i.number for i in locked])
    return batch


@transaction.atomic
def mark_batch_transmitted(*, acting_user, batch: ExportBatch) -> ExportBatch:
    batch = ExportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.transmitted_at:
        raise InvoiceError(f"Lot déjà marqué transmis le {batch.transmitted_at:%d/%m/%Y}.")
    now = timezone.now()
    invoices = list(batch.invoices.select_for_update().filter(status=InvoiceStatus.VALIDATED))
    for invoice in invoices:
        invoice.status = InvoiceStatus.TRANSMITTED
        invoice.transmitted_at = now
        invoice.row_version += 1
    Invoice.objects.bulk_update(invoices, ["status", "transmitted_at", "row_version",
                                           "updated_at"])
    batch.transmitted_at = now
    batch.transmitted_by = acting_user
    batch.save(update_fields=["transmitted_at", "transmitted_by"])
    audit.record(actor=acting_user, action="fse_export.transmitted", obj=batch,
                 invoices=[i.number for i in invoices])
    return batch
