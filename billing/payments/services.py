"""Payment services (PAY-1, PAY-2): keyword-only, taking `acting_user`,
atomic, each with its audit row in the same transaction.

PAY-1 is checked here under row locks: the invoices a payment settles are
locked FOR UPDATE, so two payments recorded at once cannot both take the
same due; an allocation never exceeds what the payer still owes on the
invoice, and the allocations of a payment never exceed the payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from billing.invoicing import selectors as invoice_selectors
from billing.ledger import statement
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.models.payments import SHARE_FIELD, Allocation, PayerKind, Payment, Reject, cents
from core import audit

ZERO = Decimal("0.00")
# A payment settles an invoice that went out and is not cancelled.
PAYABLE = (InvoiceStatus.VALIDATED, InvoiceStatus.TRANSMITTED, InvoiceStatus.PARTIALLY_PAID,
           InvoiceStatus.REJECTED, InvoiceStatus.PAID)


class PaymentError(Exception):
    """A refused payment operation; `field` names the form field it is about
    and `errors` maps allocation lines (invoice id) to their message."""

    def __init__(self, message: str, *, field: str | None = None,
                 errors: dict[int, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or {}


@dataclass(frozen=True)
class AllocationRequest:
    invoice_id: int
    amount: Decimal


def _allocated(invoice_ids, payer_kind: str | None = None) -> dict[int, Decimal]:
    """What non-cancelled payments already settle on these invoices (per
    payer when given)."""
    qs = Allocation.objects.filter(invoice_id__in=invoice_ids, payment__cancelled_at__isnull=True)
    if payer_kind is not None:
        qs = qs.filter(payment__payer_kind=payer_kind)
    return {row["invoice_id"]: cents(row["total"])
            for row in qs.values("invoice_id").annotate(total=Sum("amount"))}


def due_by_payer(invoice: Invoice, payer_kind: str, allocated: Decimal) -> Decimal:
    return getattr(invoice, SHARE_FIELD[PayerKind(payer_kind)]) - allocated


def _settle(invoice: Invoice, *, acting_user) -> None:
    """The invoice's state follows its payments (FAC-4 / PAY-1)."""
    if invoice.status == InvoiceStatus.CANCELLED:
        return
    paid = _allocated([invoice.pk]).get(invoice.pk, ZERO)
    if paid >= invoice.total and paid > 0:
        status = InvoiceStatus.PAID
    elif invoice.rejects.exists():
        # Rejected until corrected by an avoir (PAY-2), whatever else came in.
        status = InvoiceStatus.REJECTED
    elif paid > 0:
        status = InvoiceStatus.PARTIALLY_PAID
    elif invoice.transmitted_at is not None:
        status = InvoiceStatus.TRANSMITTED
    else:
        status = InvoiceStatus.VALIDATED
    if status == invoice.status:
        return
    previous = invoice.status
    invoice.status = status
    invoice.settled_at = timezone.now() if status in (InvoiceStatus.PAID,
                                                      InvoiceStatus.PARTIALLY_PAID) else None
    invoice.row_version += 1
    invoice.save(update_fields=["status", "settled_at", "row_version", "updated_at"])
    audit.record(actor=acting_user, action="invoice.status", obj=invoice,
                 patient_id=invoice.patient_id, previous=previous, status=status)


def _lock_invoices(acting_user, nurse, invoice_ids) -> dict[int, Invoice]:
    invoices = {
        inv.pk: inv for inv in invoice_selectors.invoices_editable_by(acting_user)
        .select_for_update().filter(pk__in=list(invoice_ids)).order_by("pk")
    }
    errors = {}
    for invoice_id in invoice_ids:
        invoice = invoices.get(invoice_id)
        if invoice is None:
            errors[invoice_id] = "Facture introuvable ou hors de votre périmètre."
        elif invoice.nurse_id != nurse.pk:
            errors[invoice_id] = "Cette facture est celle d'un(e) autre infirmier(ère) facturant."
        elif invoice.kind == InvoiceKind.CREDIT_NOTE or invoice.status not in PAYABLE:
            errors[invoice_id] = (f"Facture {invoice.display_number} "
                                  f"« {invoice.get_status_display()} » : aucun paiement possible.")
    if errors:
        raise PaymentError("Certaines factures ne peuvent pas recevoir ce paiement.",
                           errors=errors)
    return invoices


@transaction.atomic
def record_payment(*, acting_user, nurse, payer_kind: str, payer_name: str, received_on: date,
                   means: str, reference: str, amount: Decimal,
                   allocations: Sequence[AllocationRequest]) -> Payment:
    """PAY-1: record a receipt and allocate it, in part or in full, to the
    payer's share of the nurse's invoices."""
    payer_kind = PayerKind(payer_kind)
    if amount is None or amount <= 0:
        raise PaymentError("Le montant doit être positif.", field="amount")
    wanted: dict[int, Decimal] = {}
    for request in allocations:
        if request.amount <= 0:
            raise PaymentError("Chaque affectation doit être positive.",
                               errors={request.invoice_id: "Montant positif attendu."})
        wanted[request.invoice_id] = wanted.get(request.invoice_id, ZERO) + request.amount
    allocated_total = sum(wanted.values(), ZERO)
    if allocated_total > amount:
        raise PaymentError(
            f"Les affectations ({allocated_total} €) dépassent le paiement ({amount} €) (PAY-1).",
            field="amount")
    invoices = _lock_invoices(acting_user, nurse, wanted)
    already = _allocated(list(wanted), payer_kind)
    errors = {}
    for invoice_id, value in wanted.items():
        due = due_by_payer(invoices[invoice_id], payer_kind, already.get(invoice_id, ZERO))
        if value > due:
            errors[invoice_id] = (f"{value} € affectés pour {max(due, ZERO)} € encore dus par ce "
                                  f"payeur (PAY-1).")
    if errors:
        raise PaymentError("Une affectation dépasse le montant dû.", errors=errors)
    payment = Payment.objects.create(
        nurse=nurse, payer_kind=payer_kind, payer_name=payer_name.strip(),
        received_on=received_on, means=means, reference=reference.strip(), amount=amount,
        created_by=acting_user)
    Allocation.objects.bulk_create([
        Allocation(payment=payment, invoice_id=invoice_id, amount=value)
        for invoice_id, value in wanted.items()])
    audit.record(actor=acting_user, action="payment.recorded", obj=payment,
                 nurse=nurse.pk, payer=payer_kind, amount=str(amount),
                 invoices=sorted(wanted))
    for invoice_id in sorted(wanted):
        _settle(invoices[invoice_id], acting_user=acting_user)
    return payment


@transaction.atomic
def cancel_payment(*, acting_user, payment: Payment, reason: str) -> Payment:
    """A payment recorded by mistake: it stays in the livre-journal, struck
    out, and its allocations stop counting."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Indiquez le motif de l'annulation.", field="reason")
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if locked.is_cancelled:
        raise PaymentError("Ce paiement est déjà annulé.")
    invoice_ids = list(locked.allocations.values_list("invoice_id", flat=True))
    invoices = {inv.pk: inv for inv in Invoice.objects.select_for_update()
                .filter(pk__in=invoice_ids).order_by("pk")}
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = acting_user
    locked.cancel_reason = reason[:200]
    locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit.record(actor=acting_user, action="payment.cancelled", obj=locked,
                 nurse=locked.nurse_id, amount=str(locked.amount))
    for invoice_id in sorted(invoices):
        _settle(invoices[invoice_id], acting_user=acting_user)
    return locked


@transaction.atomic
def record_reject(*, acting_user, invoice: Invoice, payer_kind: str, rejected_on: date,
                  reason: str) -> Reject:
    """PAY-2: a payer's reject, shown on the invoice; the correction is the
    avoir and a new invoice (FAC-4)."""
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError("Indiquez le motif du rejet.", field="reason")
    locked = (invoice_selectors.invoices_editable_by(acting_user).select_for_update()
              .filter(pk=invoice.pk).first())
    if locked is None:
        raise PaymentError("Facture introuvable ou hors de votre périmètre.")
    if locked.kind == InvoiceKind.CREDIT_NOTE or locked.status not in PAYABLE:
        raise PaymentError(f"Facture « {locked.get_status_display()} » : pas de rejet possible.")
    reject = Reject.objects.create(invoice=locked, payer_kind=PayerKind(payer_kind),
                                   rejected_on=rejected_on, reason=reason[:300],
                                   created_by=acting_user)
    previous = locked.status
    if locked.status != InvoiceStatus.PAID:
        locked.status = InvoiceStatus.REJECTED
        locked.status_reason = reason[:300]
        locked.settled_at = timezone.now()
        locked.row_version += 1
        locked.save(update_fields=["status", "status_reason", "settled_at", "row_version",
                                   "updated_at"])
    audit.record(actor=acting_user, action="invoice.rejected", obj=locked,
                 patient_id=locked.patient_id, previous=previous, payer=payer_kind,
                 reject=reject.pk)
    return reject


def open_dues(*, nurse, payer_kind: str) -> dict[str, tuple[Invoice, Decimal]]:
    """Invoice number → (invoice, what this payer still owes) for the
    nurse's invoices awaiting this payer."""
    field = SHARE_FIELD[PayerKind(payer_kind)]
    rows = (Invoice.objects.filter(nurse=nurse, kind=InvoiceKind.INVOICE, status__in=PAYABLE)
            .annotate(paid=Sum("allocations__amount", filter=Q(
                allocations__payment__payer_kind=payer_kind,
                allocations__payment__cancelled_at__isnull=True))))
    out = {}
    for invoice in rows:
        due = getattr(invoice, field) - cents(invoice.paid)
        if due > 0:
            out[invoice.number] = (invoice, due)
    return out


def preview_statement(*, nurse, payer_kind: str, text: str) -> statement.Reconciliation:
    """PAY-1 bulk entry: what the statement would settle, nothing saved."""
    lines, errors = statement.parse(text)
    dues = open_dues(nurse=nurse, payer_kind=payer_kind)
    return statement.reconcile(lines, errors, {n: due for n, (_i, due) in dues.items()})


@transaction.atomic
def record_statement(*, acting_user, nurse, payer_kind: str, payer_name: str,
                     received_on: date, means: str, reference: str, text: str) -> Payment:
    """Save a statement whose reconciliation has no blocking line: one
    payment for its total, allocated line by line."""
    result = preview_statement(nurse=nurse, payer_kind=payer_kind, text=text)
    if not result.can_save:
        raise PaymentError("Le relevé a des lignes à corriger avant l'enregistrement.",
                           field="text")
    dues = open_dues(nurse=nurse, payer_kind=payer_kind)
    requests = [AllocationRequest(dues[line.number][0].pk, line.amount)
                for line, _due in result.matched + result.differences]
    return record_payment(acting_user=acting_user, nurse=nurse, payer_kind=payer_kind,
                          payer_name=payer_name, received_on=received_on, means=means,
                          reference=reference, amount=result.total, allocations=requests)
