"""Payments and rejects (docs/domain/facturation.md PAY-1, PAY-2).

A `Payment` is one receipt of the billing nurse who is paid (LED-1: the
ledger is per billing professional): its payer, date, means, reference and
amount. `Allocation`s spread it over that nurse's invoices, against the
invoice's share of the same payer (AMO, AMC or patient). PAY-1: the
allocations of a payment never exceed it, nor the invoice's due for that
payer — checked by the service under row locks, and by the database for what
a row alone can say.

A payment is a receipt in the livre-journal: it is never edited nor deleted.
A payment recorded by mistake is cancelled (who, when, why): its allocations
stop counting and the ledger shows it struck out.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.form_fields import validate_plausible_date
from core.records import AuthoredRecord, CreatedAt

__all__ = ["Allocation", "AnnualSummary", "PayerKind", "Payment", "PaymentMeans", "Reject"]


class PayerKind(models.TextChoices):
    AMO = "amo", "Caisse d'assurance maladie (AMO)"
    AMC = "amc", "Organisme complémentaire (AMC / C2S)"
    PATIENT = "patient", "Patient"


# The invoice's share owed by each payer (FAC-6).
SHARE_FIELD = {PayerKind.AMO: "amo", PayerKind.AMC: "amc", PayerKind.PATIENT: "patient_share"}
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """A sum read from the database, in cents (SQLite returns aggregates of
    decimals with float noise)."""
    return (value or Decimal(0)).quantize(CENT)


class PaymentMeans(models.TextChoices):
    TRANSFER = "virement", "Virement"
    CHEQUE = "cheque", "Chèque"
    CASH = "especes", "Espèces"
    CARD = "carte", "Carte bancaire"


class Payment(CreatedAt):
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="payments_received",
                              verbose_name="infirmier(ère) payé(e)")
    payer_kind = models.CharField("payeur", max_length=8, choices=PayerKind.choices)
    payer_name = models.CharField("nom du payeur", max_length=120, blank=True)
    received_on = models.DateField("reçu le", validators=[validate_plausible_date])
    means = models.CharField("moyen de paiement", max_length=10, choices=PaymentMeans.choices)
    reference = models.CharField("référence", max_length=80, blank=True)
    amount = models.DecimalField("montant", max_digits=10, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="saisi par")
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField("motif d'annulation", max_length=200, blank=True)

    class Meta:
        ordering = ["received_on", "pk"]
        verbose_name = "paiement"
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
        ]
        indexes = [models.Index(fields=["nurse", "received_on"])]

    def __str__(self) -> str:
        return f"Paiement {self.pk} du {self.received_on:%d/%m/%Y} : {self.amount} €"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Allocation(models.Model):
    """The part of a payment that settles the payer's share of one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT,
                                related_name="allocations")
    amount = models.DecimalField("montant affecté", max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["payment", "pk"]
        verbose_name = "affectation"
        constraints = [
            models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0)),
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} € → facture {self.invoice_id}"


class Reject(AuthoredRecord):
    """PAY-2: a payer refused an invoice; corrected by an avoir and a new
    invoice (FAC-4)."""

    invoice = models.ForeignKey("billing.Invoice", on_delete=models.PROTECT,
                                related_name="rejects")
    payer_kind = models.CharField("payeur", max_length=8, choices=PayerKind.choices)
    rejected_on = models.DateField("rejeté le", validators=[validate_plausible_date])
    reason = models.CharField("motif du rejet", max_length=300)

    class Meta:
        ordering = ["rejected_on", "pk"]
        verbose_name = "rejet"

    def __str__(self) -> str:
        return f"Rejet de la facture {self.invoice_id} le {self.rejected_on:%d/%m/%Y}"


class AnnualSummary(models.Model):
    """LED-3: one request of the accountant's yearly summary PDF; its
    figures are frozen by the documents pipeline when it is requested."""

    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name="infirmier(ère)")
    year = models.PositiveSmallIntegerField("année")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "synthèse annuelle"
        verbose_name_plural = "synthèses annuelles"
        constraints = [
            models.CheckConstraint(name="summary_year_plausible",
                                   condition=Q(year__gte=2000) & Q(year__lte=2100)),
        ]

    def __str__(self) -> str:
        return f"Synthèse {self.year} — {self.nurse_id}"
