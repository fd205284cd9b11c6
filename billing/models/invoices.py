"""Invoices (docs/domain/facturation.md FAC-1…9).

One `Invoice` = one patient, one billing nurse, one or more séances of that
patient (FAC-1). Its lines are copied from the séances' frozen lines with the
AMO / AMC / patient split of the patient's coverage (FAC-5, FAC-6). Lifecycle
`brouillon → validée → transmise → payée | partiellement payée | rejetée`
(FAC-4); a validated invoice is never edited nor deleted — an `avoir` cancels
it in full (the invoice then shows as « annulée » and keeps its number) and
frees its séances. Numbers are allocated per billing nurse at validation,
inside the transaction, from `InvoiceCounter` (FAC-3).

Validated invoices are refused by PostgreSQL as well (triggers of migration
`0003_invoices`): only the lifecycle columns may change after validation.
Writes go through `billing.invoicing.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.records import RowVersioned, UpdatedAt

from .seances import PricedLine

__all__ = ["AuditAcknowledgement", "ExportBatch", "Invoice", "InvoiceCounter", "InvoiceKind",
           "InvoiceLine", "InvoiceSeance", "InvoiceStatus"]


class InvoiceStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    VALIDATED = "validee", "Validée"
    TRANSMITTED = "transmise", "Transmise"
    PAID = "payee", "Payée"
    PARTIALLY_PAID = "partiellement_payee", "Partiellement payée"
    REJECTED = "rejetee", "Rejetée"
    CANCELLED = "annulee", "Annulée par avoir"


# FAC-4: the transitions a service may make (the avoir is the only way out of
# a validated state other than the payer's answer).
TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.VALIDATED}),
    InvoiceStatus.VALIDATED: frozenset({InvoiceStatus.TRANSMITTED, InvoiceStatus.CANCELLED}),
    InvoiceStatus.TRANSMITTED: frozenset({
        InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.REJECTED,
        InvoiceStatus.CANCELLED,
    }),
    InvoiceStatus.PARTIALLY_PAID: frozenset({InvoiceStatus.PAID, InvoiceStatus.REJECTED,
                                             InvoiceStatus.CANCELLED}),
    InvoiceStatus.REJECTED: frozenset({InvoiceStatus.CANCELLED, InvoiceStatus.PAID,
                                       InvoiceStatus.PARTIALLY_PAID}),
    InvoiceStatus.PAID: frozenset({InvoiceStatus.CANCELLED}),
    InvoiceStatus.CANCELLED: frozenset(),
}
FINAL_STATUSES = frozenset(s for s in InvoiceStatus if s != InvoiceStatus.DRAFT)


class InvoiceKind(models.TextChoices):
    INVOICE = "facture", "Facture"
    CREDIT_NOTE = "avoir", "Avoir"


class ExportBatch(models.Model):
    """One FSE export file (FAC-9): the validated invoices exported together;
    marking the batch « transmise » records its date on each invoice."""

    created_at = models.DateTimeField("exporté le", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="exporté par")
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              verbose_name="infirmier(ère) facturant")
    # The exported document, frozen as written (docs/fse-export.md).
    content = models.JSONField(default=dict)
    transmitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    transmitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lot d'export FSE"
        verbose_name_plural = "lots d'export FSE"

    def __str__(self) -> str:
        return f"Lot {self.pk} du {self.created_at:%d/%m/%Y}"

    @property
    def filename(self) -> str:
        return f"fse-lot-{self.pk:06d}.json"


class InvoiceCounter(models.Model):
    """The last number allocated to a billing nurse (FAC-3). Locked with
    SELECT … FOR UPDATE by the validating transaction, so concurrent
    validations queue and a rolled-back validation gives its number back."""

    nurse = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="invoice_counter", primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de factures"

    def __str__(self) -> str:
        return f"{self.nurse_id}: {self.last}"


class Invoice(RowVersioned, UpdatedAt):
    kind = models.CharField("type", max_length=8, choices=InvoiceKind.choices,
                            default=InvoiceKind.INVOICE)
    status = models.CharField("état", max_length=20, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT)
    patient = models.ForeignKey("cabinet.Patient", on_delete=models.PROTECT,
                                related_name="invoices")
    # FAC-1: the billing nurse (the titulaire when a remplaçant performed).
    nurse = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="invoices", verbose_name="infirmier(ère) facturant")
    # FAC-3: per-nurse sequence, allocated at validation; `number` shows it.
    sequence = models.PositiveIntegerField("n° d'ordre", null=True, blank=True)
    number = models.CharField("numéro", max_length=40, blank=True)
    # An avoir names the invoice it cancels (in full, FAC-4).
    cancels = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="credit_note", verbose_name="annule la facture")
    period_start = models.DateField("premier soin", null=True, blank=True)
    period_end = models.DateField("dernier soin", null=True, blank=True)
    total = models.DecimalField("total", max_digits=10, decimal_places=2, default=0)
    amo = models.DecimalField("part AMO", max_digits=10, decimal_places=2, default=0)
    amc = models.DecimalField("part AMC / C2S", max_digits=10, decimal_places=2, default=0)
    patient_share = models.DecimalField("part patient", max_digits=10, decimal_places=2,
                                        default=0)
    # The coverage used for the split and the identities printed (frozen at
    # creation and again at validation: the invoice never follows later edits).
    coverage = models.JSONField("couverture", default=dict, blank=True)
    snapshot = models.JSONField("identités", default=dict, blank=True)
    tariff_versions = models.JSONField("versions de tarifs", default=list, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="créée par")
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+",
                                     verbose_name="validée par")
    # Lifecycle columns, the only ones that change after validation.
    batch = models.ForeignKey(ExportBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="invoices", verbose_name="lot d'export")
    transmitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    settled_at = models.DateTimeField("réglée / rejetée le", null=True, blank=True)
    status_reason = models.TextField("motif", blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "facture"
        constraints = [
            models.UniqueConstraint(fields=["nurse", "sequence"], name="invoice_number_per_nurse",
                                    condition=Q(sequence__isnull=False)),
            models.CheckConstraint(
                name="invoice_number_when_final",
                condition=Q(status="brouillon") | Q(sequence__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "nurse"]),
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["period_start"]),
            # The ledger reads a nurse's invoices by validation date (LED-2).
            models.Index(fields=["nurse", "validated_at"], name="billing_inv_nurse_valid_idx"),
        ]

    def __str__(self) -> str:
        label = "Avoir" if self.kind == InvoiceKind.CREDIT_NOTE else "Facture"
        return f"{label} {self.number or '(brouillon)'}"

    def delete(self, *args, **kwargs):
        # FAC-4: only a draft is ever deleted (PostgreSQL refuses it as well).
        if self.pk and Invoice.objects.filter(pk=self.pk).exclude(
                status=InvoiceStatus.DRAFT).exists():
            raise ValidationError("Facture validée : suppression refusée (FAC-4).")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == InvoiceStatus.DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def display_number(self) -> str:
        return self.number or f"brouillon n° {self.pk}"


class InvoiceSeance(models.Model):
    """A séance billed on an invoice (FAC-1), with who performed it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="links")
    seance = models.ForeignKey("billing.Seance", on_delete=models.PROTECT,
                               related_name="invoice_links")

    class Meta:
        verbose_name = "séance facturée"
        constraints = [
            models.UniqueConstraint(fields=["invoice", "seance"], name="invoiceseance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} ← séance {self.seance_id}"


class InvoiceLine(PricedLine):
    """One line of an invoice: the séance's frozen line (FAC-5) and its split
    between AMO, AMC (or C2S) and the patient (FAC-6)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    seance = models.ForeignKey("billing.Seance", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    date = models.DateField("date des soins")
    time = models.TimeField("heure", null=True, blank=True)
    amc = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    patient_share = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    split_rules = models.JSONField(default=list)

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = "ligne de facture"
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoiceline_position"),
        ]


class AuditAcknowledgement(models.Model):
    """A warning of the pre-send audit acknowledged before validation: who,
    when, and the finding as shown (its rule, séance and message)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE,
                                related_name="acknowledgements")
    seance = models.ForeignKey("billing.Seance", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=10)
    key = models.CharField(max_length=600)
    message = models.TextField()
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_at", "pk"]
        verbose_name = "avertissement accepté"
        constraints = [
            models.UniqueConstraint(fields=["invoice", "key"], name="ack_unique_per_invoice"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} séance {self.seance_id} accepté par {self.acknowledged_by_id}"
