"""Validated invoices and payments for the payment and ledger tests."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from billing.invoicing import services as invoicing
from billing.models import Invoice
from billing.payments import services
from billing.payments.services import AllocationRequest
from tests.billing.invoice_helpers import clean_seance, make_patient


def validated_invoice(nurse, *, by, on: date | None = None, performed_by=None,
                      acts=(("AMI", 2),), **patient_fields) -> Invoice:
    """One validated invoice of `nurse` for a new patient; `on` backdates its
    validation (the ledger reads invoices by validation date)."""
    patient = make_patient(**patient_fields)
    seance = clean_seance(nurse, patient=patient, performed_by=performed_by, acts=acts)
    (invoice,) = invoicing.create_invoices(acting_user=by, seance_ids=[seance.pk])
    invoice = invoicing.validate_invoice(acting_user=by, invoice=invoice)
    if on is not None:
        when = datetime.combine(on, time(10, 0), tzinfo=timezone.get_current_timezone())
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A test rewinds its own invoice: PostgreSQL refuses any change
                # to a validated invoice (FAC-4), so its triggers are off for
                # this one statement's transaction.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            Invoice.objects.filter(pk=invoice.pk).update(validated_at=when)
        invoice.refresh_from_db()
    return invoice


def pay(invoice, *, by, amount=None, payer="amo", on=date(2026, 6, 20), **extra):
    share = {"amo": invoice.amo, "amc": invoice.amc, "patient": invoice.patient_share}[payer]
    value = share if amount is None else Decimal(amount)
    return services.record_payment(
        acting_user=by, nurse=invoice.nurse, payer_kind=payer, payer_name="CPAM Test",
        received_on=on, means="virement", reference="REL-1", amount=value,
        allocations=[AllocationRequest(invoice.pk, value)], **extra)
