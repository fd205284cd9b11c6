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
    for user in (personas.nadia, personas.sophie):
        _outstanding_totals_agree_with_the_list(user)


def _outstanding_totals_agree_with_the_list(user):
    """PAY-3: the home page's one-query totals are the « Impayés » list's sums."""
    items = list(selectors.outstanding_items(user))
    totals = selectors.outstanding_totals(user)
    assert totals["amount"] == sum((due for _i, _p, due, _b in items), Decimal("0.00"))
    assert totals["count"] == len({invoice.pk for invoice, *_ in items})


def test_pay_3_outstanding_totals_follow_partial_full_and_cancelled_payments(personas):
    before = selectors.outstanding_totals(personas.claire)
    first = validated_invoice(personas.claire, by=personas.nadia, acts=(("AMI", 4),))
    second = validated_invoice(personas.claire, by=personas.nadia, acts=(("AMI", 2),))
    due = first.amo + first.amc + first.patient_share + second.total
    assert first.amo > 0 and second.total == second.amo + second.amc + second.patient_share
    now = selectors.outstanding_totals(personas.claire)
    assert now == {"count": before["count"] + 2, "amount": before["amount"] + due}
    # A partial payment lowers the amount, the invoice still awaits the rest.
    services.record_payment(
        acting_user=personas.nadia, nurse=personas.claire, payer_kind="amo", payer_name="",
        received_on=date(2026, 6, 20), means="virement", reference="", amount=Decimal("1.00"),
        allocations=[AllocationRequest(first.pk, Decimal("1.00"))])
    partial = selectors.outstanding_totals(personas.claire)
    assert partial == {"count": now["count"], "amount": now["amount"] - Decimal("1.00")}
    # Every share of the second paid: it no longer awaits payment.
    payments = [services.record_payment(
        acting_user=personas.nadia, nurse=personas.claire, payer_kind=payer, payer_name="",
        received_on=date(2026, 6, 21), means="virement", reference="", amount=share,
        allocations=[AllocationRequest(second.pk, share)])
        for payer, share in (("amo", second.amo), ("amc", second.amc),
                             ("patient", second.patient_share)) if share]
    paid = selectors.outstanding_totals(personas.claire)
    assert paid == {"count": now["count"] - 1, "amount": partial["amount"] - second.total}
    # A cancelled payment stops counting: the invoice is due again.
    services.cancel_payment(acting_user=personas.nadia, payment=payments[0], reason="erreur")
    again = selectors.outstanding_totals(personas.claire)
    assert again == {"count": now["count"], "amount": paid["amount"] + payments[0].amount}
    _outstanding_totals_agree_with_the_list(personas.claire)
    _outstanding_totals_agree_with_the_list(personas.nadia)
