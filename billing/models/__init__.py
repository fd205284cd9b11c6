"""Billing models, one module per concern: séances (priced passages),
invoices; payments in their own module as they come."""

from .invoices import (
    AuditAcknowledgement,
    ExportBatch,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeance,
    InvoiceStatus,
)
from .seances import Seance, SeanceLine, SeanceSource, SeanceStatus

__all__ = [
    "AuditAcknowledgement",
    "ExportBatch",
    "Invoice",
    "InvoiceCounter",
    "InvoiceKind",
    "InvoiceLine",
    "InvoiceSeance",
    "InvoiceStatus",
    "Seance",
    "SeanceLine",
    "SeanceSource",
    "SeanceStatus",
]
