"""Billing models, one module per concern: séances (priced passages),
invoices, payments."""

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
from .payments import Allocation, AnnualSummary, PayerKind, Payment, PaymentMeans, Reject
from .seances import Seance, SeanceLine, SeanceSource, SeanceStatus

__all__ = [
    "Allocation",
    "AnnualSummary",
    "PayerKind",
    "Payment",
    "PaymentMeans",
    "Reject",
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
