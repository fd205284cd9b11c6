"""PAY-1 and PAY-2: payments allocated to invoices, the invoice's state
following them, cancellation, and rejects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.models import InvoiceStatus
from billing.models.payments import Allocation, Payment
from billing.payments import services
from billing.payments.services import AllocationRequest, PaymentError
from core.models import AuditEvent

from .helpers import pay, validated_invoice

pytestmark = pytest.mark.django_db


def test_pay_1_payment_in_full_marks_the_invoice_paid(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    pay(invoice, by=personas.nadia, payer="amo")
    if invoice.patient_share:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PARTIALLY_PAID
        pay(invoice, by=personas.nadia, payer="patient")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert AuditEvent.objects.filter(action="payment.recorded").count() >= 1


def test_pay_1_partial_payment_marks_the_invoice_partially_paid(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    pay(invoice, by=personas.nadia, amount="1.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID


def test_pay_1_allocation_never_exceeds_the_payers_due(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    with pytest.raises(PaymentError) as caught:
        pay(invoice, by=personas.nadia, amount=invoice.amo + Decimal("0.01"))
    assert invoice.pk in caught.value.errors
    pay(invoice, by=personas.nadia, amount=invoice.amo - Decimal("1.00"))
    with pytest.raises(PaymentError):
        pay(invoice, by=personas.nadia, amount="1.01")
    assert Payment.objects.filter(allocations__invoice=invoice).count() == 1


def test_pay_1_allocations_never_exceed_the_payment(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    with pytest.raises(PaymentError) as caught:
        services.record_payment(
            acting_user=personas.nadia, nurse=personas.claire, payer_kind="amo", payer_name="",
            received_on=date(2026, 6, 20), means="virement", reference="", amount=Decimal("1.00"),
            allocations=[AllocationRequest(invoice.pk, Decimal("2.00"))])
    assert caught.value.field == "amount"
    assert not Allocation.objects.filter(invoice=invoice).exists()


def test_pay_1_only_the_nurses_own_invoices_and_only_billers(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    with pytest.raises(PaymentError):
        services.record_payment(
            acting_user=personas.nadia, nurse=personas.marc, payer_kind="amo", payer_name="",
            received_on=date(2026, 6, 20), means="virement", reference="", amount=invoice.amo,
            allocations=[AllocationRequest(invoice.pk, invoice.amo)])
    with pytest.raises(PaymentError):  # marc cannot touch claire's invoice
        pay(invoice, by=personas.marc)
    with pytest.raises(PaymentError):  # nor the remplaçante
        pay(invoice, by=personas.julie)


def test_pay_1_cancelled_payment_stops_counting(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    payment = pay(invoice, by=personas.nadia, amount="2.00")
    with pytest.raises(PaymentError):
        services.cancel_payment(acting_user=personas.nadia, payment=payment, reason=" ")
    services.cancel_payment(acting_user=personas.nadia, payment=payment, reason="doublon")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VALIDATED
    pay(invoice, by=personas.nadia)  # the whole AMO share is due again
    with pytest.raises(PaymentError):
        services.cancel_payment(acting_user=personas.nadia, payment=payment, reason="encore")


def test_pay_2_reject_shows_on_the_invoice_and_is_corrected_by_an_avoir(personas):
    from billing.invoicing import services as invoicing

    invoice = validated_invoice(personas.claire, by=personas.nadia)
    with pytest.raises(PaymentError):
        services.record_reject(acting_user=personas.nadia, invoice=invoice, payer_kind="amo",
                               rejected_on=date(2026, 6, 21), reason="")
    reject = services.record_reject(acting_user=personas.nadia, invoice=invoice,
                                    payer_kind="amo", rejected_on=date(2026, 6, 21),
                                    reason="Prescription absente")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REJECTED
    assert list(invoice.rejects.all()) == [reject]
    credit = invoicing.cancel_with_credit_note(acting_user=personas.nadia, invoice=invoice,
                                               reason="rejet CPAM")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and credit.total == -invoice.total
    with pytest.raises(PaymentError):  # a cancelled invoice takes no more payment
        pay(invoice, by=personas.nadia)


def test_pay_3_open_dues_per_payer(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    dues = services.open_dues(nurse=personas.claire, payer_kind="amo")
    assert dues[invoice.number][1] == invoice.amo
    pay(invoice, by=personas.nadia, amount="1.00")
    dues = services.open_dues(nurse=personas.claire, payer_kind="amo")
    assert dues[invoice.number][1] == invoice.amo - Decimal("1.00")


def test_pay_1_statement_reconciles_then_saves_one_payment(personas):
    first = validated_invoice(personas.claire, by=personas.nadia)
    second = validated_invoice(personas.claire, by=personas.nadia)
    text = f"numero;montant\n{first.number};{first.amo}\n{second.number};1,00\n"
    result = services.preview_statement(nurse=personas.claire, payer_kind="amo", text=text)
    assert len(result.matched) == 1 and len(result.differences) == 1 and result.can_save
    assert not Payment.objects.filter(allocations__invoice__in=[first, second]).exists()
    payment = services.record_statement(
        acting_user=personas.nadia, nurse=personas.claire, payer_kind="amo",
        payer_name="CPAM", received_on=date(2026, 6, 22), means="virement", reference="R",
        text=text)
    assert payment.amount == first.amo + Decimal("1.00")
    assert payment.allocations.count() == 2
    bad = services.preview_statement(nurse=personas.claire, payer_kind="amo",
                                     text="INCONNUE;3,00\n")
    assert not bad.can_save and len(bad.unmatched) == 1
