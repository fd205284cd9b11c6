"""Demo objects the access policy reaches (seed_demo's payments)."""

from __future__ import annotations

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.models.payments import Payment
from core.models import User


def claire_payment() -> Payment:
    return Payment.objects.filter(nurse__username="claire").order_by("pk").first()


def claire_invoice() -> Invoice:
    """A validated invoice of claire's with no séance performed by julie."""
    julie = User.objects.get(username="julie")
    return (Invoice.objects.filter(nurse__username="claire", kind=InvoiceKind.INVOICE)
            .exclude(status__in=(InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED))
            .exclude(links__seance__performed_by=julie).order_by("pk").first())
