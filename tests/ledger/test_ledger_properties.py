"""LED-2 as a property: over random invoices and payments, the ledger
reconciles with the invoices and payments to the cent, and no allocation ever
exceeds its payment or the invoice's due (PAY-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Invoice
from billing.models.payments import Allocation, Payment
from billing.payments import selectors, services
from billing.payments.services import AllocationRequest, PaymentError

from .helpers import validated_invoice

pytestmark = pytest.mark.django_db

payments_strategy = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(["amo", "patient"]),
              st.integers(1, 2000), st.integers(1, 28)),
    max_size=8)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=payments_strategy)
def test_led_2_ledger_reconciles_to_the_cent_over_random_payments(personas, plan):
    # Payments are never deleted (LED-1, refused by PostgreSQL): the examples
    # accumulate on the same three invoices, and the property holds throughout.
    invoices = list(Invoice.objects.filter(nurse=personas.sophie, validated_at__year=2026,
                                           validated_at__month=6).order_by("pk")[:3])
    while len(invoices) < 3:
        invoices.append(validated_invoice(personas.sophie, by=personas.nadia,
                                          on=date(2026, 6, 2), acts=(("AMI", 4),)))
    for index, payer, cents, day in plan:
        amount = Decimal(cents) / 100
        try:
            services.record_payment(
                acting_user=personas.nadia, nurse=personas.sophie, payer_kind=payer,
                payer_name="", received_on=date(2026, 6, day), means="virement", reference="",
                amount=amount, allocations=[AllocationRequest(invoices[index].pk, amount)])
        except PaymentError:
            pass
    ledger = selectors.ledger(personas.sophie, selectors.month(2026, 6))
    payments = Payment.objects.filter(nurse=personas.sophie, received_on__year=2026,
                                      received_on__month=6, cancelled_at__isnull=True)
    assert ledger.receipts_total == sum((p.amount for p in payments), Decimal("0.00"))
    assert ledger.billed == ledger.received_on_invoices + ledger.outstanding
    assert sum((r["received"] for r in ledger.by_key), Decimal(0)) == ledger.received_on_invoices
    for invoice in invoices:
        invoice.refresh_from_db()
        for payer, share in (("amo", invoice.amo), ("patient", invoice.patient_share)):
            allocated = sum((a.amount for a in Allocation.objects.filter(
                invoice=invoice, payment__payer_kind=payer)), Decimal(0))
            assert allocated <= share
    for payment in payments:
        assert sum((a.amount for a in payment.allocations.all()), Decimal(0)) <= payment.amount
