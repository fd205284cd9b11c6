"""The printable invoice (for the patient or the AMC), through the documents
pipeline: the context is built once from the invoice's frozen data and the PDF
rendered by a Celery worker — the request never waits for it."""

from __future__ import annotations

INVOICE_KIND = "billing_facture"
TEMPLATE = "billing/pdf/invoice.html"


def invoice_context(invoice) -> dict:
    snap = invoice.snapshot or {}
    lines = [
        {"date": line.date, "code": line.code, "label": line.label,
         "coefficient": line.coefficient, "rate": line.rate, "unit_value": line.unit_value,
         "amount": line.amount, "amo": line.amo, "amc": line.amc,
         "patient": line.patient_share, "rules": list(line.rules)}
        for line in invoice.lines.order_by("position")
    ]
    return {
        "number": invoice.number or f"brouillon-{invoice.pk}",
        "kind": invoice.get_kind_display(),
        "status": invoice.get_status_display(),
        "is_draft": invoice.is_draft,
        "cancels": invoice.cancels.number if invoice.cancels_id else "",
        "validated_at": invoice.validated_at,
        "period_start": invoice.period_start, "period_end": invoice.period_end,
        "patient": snap.get("patient", {}), "nurse": snap.get("nurse", {}),
        "performers": snap.get("performers", []),
        "prescriptions": snap.get("prescriptions", []),
        "lines": lines,
        "totals": {"total": invoice.total, "amo": invoice.amo, "amc": invoice.amc,
                   "patient": invoice.patient_share},
        "complementary_payer": (invoice.coverage or {}).get("complementary_payer") or "AMC",
        "tariff_versions": invoice.tariff_versions,
        "invoice": invoice.pk,
    }


def can_view_invoice(user, invoice) -> bool:
    from .selectors import invoices_visible_to

    return invoices_visible_to(user).filter(pk=invoice.pk).exists()


def demo_invoice():
    from billing.models import Invoice, InvoiceStatus

    return (Invoice.objects.exclude(status=InvoiceStatus.DRAFT).order_by("pk").first()
            or Invoice.objects.order_by("pk").first())


def can_request_invoice(user, invoice) -> bool:
    # A draft is not an invoice yet: printed once validated (or cancelled).
    return not invoice.is_draft and can_view_invoice(user, invoice)
