"""Billing records: one `Seance` per passage — a done visit of the tournées or
a passage entered by the secretary — priced by the NGAP engine, with its
`SeanceLine`s frozen (values, rates, rules, tariff dates)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.records import VersionedRecord

__all__ = ["Seance", "SeanceLine", "SeanceSource", "SeanceStatus"]


class SeanceStatus(models.TextChoices):
    PRICED = "priced", "Cotée"
    ERROR = "error", "À vérifier (cotation impossible)"
    CANCELLED = "cancelled", "Annulée (passage rouvert)"


class SeanceSource(models.TextChoices):
    VISIT = "visit", "Passage de tournée"
    ENTRY = "entry", "Saisie secrétariat"


class Seance(VersionedRecord):
    """The billing of one passage. Re-priced while it is not invoiced; once
    `invoiced_at` is set, it never changes again.

    `nurse` is the BILLING nurse (FAC-1: the titulaire when a remplaçant
    performed the care); `performed_by` is who performed it. A séance entered
    by the secretary has no `visit`."""

    visit = models.OneToOneField(
        "cabinet.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="seance",
        verbose_name="passage",
    )
    source = models.CharField("origine", max_length=10, choices=SeanceSource.choices,
                              default=SeanceSource.VISIT)
    patient = models.ForeignKey(
        "cabinet.Patient", on_delete=models.PROTECT, related_name="seances"
    )
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="seances", verbose_name="infirmier(ère) facturant",
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="seances_performed", verbose_name="soins réalisés par",
    )
    # The prescription this séance executes (AUD-1/2); none = "sans ordonnance".
    prescription = models.ForeignKey(
        "cabinet.Prescription", null=True, blank=True, on_delete=models.PROTECT,
        related_name="seances", verbose_name="ordonnance",
    )
    # Who entered it (the secretary for an entry; the acting user for a visit).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="seances_entered", verbose_name="saisie par",
    )
    date = models.DateField("date des soins")
    time = models.TimeField("heure")
    status = models.CharField(max_length=10, choices=SeanceStatus.choices,
                              default=SeanceStatus.PRICED)
    error = models.TextField("erreur de cotation", blank=True)
    # The facts given to the engine, in the `ngap_quote` JSON shape (replayable).
    facts = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    amo = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    patient_share = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    amo_rate = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    amo_rules = models.JSONField(default=list, blank=True)
    # IK kilometres of this passage, counted against the nurse's daily cap.
    ik_km = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    # The engine billed a BSI forfait here (one per patient-day, NGAP-BSI-1).
    bsi_forfait_billed = models.BooleanField(default=False)
    # What the secretary entered (no visit): acts in the cabinet's shape
    # [{"catalogue_id", "key", "coefficient", "label", "ald_zone"}], place,
    # urgent_call, palliative, urgent_night_prescribed,
    # sunday_holiday_prescribed, distance_km (None: from the addresses).
    entry = models.JSONField(default=dict, blank=True)
    tariff_version = models.DateField("tarifs du", null=True, blank=True)
    territory = models.CharField(max_length=20, default="metropole")
    warnings = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    uncertain_rules = models.JSONField(default=list, blank=True)
    priced_at = models.DateTimeField(null=True, blank=True)
    invoiced_at = models.DateTimeField("facturée le", null=True, blank=True)
    # The visit was changed after the séance was invoiced: to review by hand.
    changed_after_invoice = models.BooleanField(default=False)

    class Meta:
        ordering = ["date", "time", "pk"]
        verbose_name = "séance"
        indexes = [
            models.Index(fields=["nurse", "date"]),
            models.Index(fields=["patient", "date"]),
            models.Index(fields=["performed_by", "date"]),
        ]

    def __str__(self) -> str:
        return f"Séance du {self.date:%d/%m/%Y} {self.time:%H:%M} — {self.patient}"

    @property
    def is_invoiced(self) -> bool:
        return self.invoiced_at is not None

    @property
    def is_active(self) -> bool:
        return self.status == SeanceStatus.PRICED


class PricedLine(models.Model):
    """A priced line as the engine gave it: code, coefficient, rate, unit value, amount,
    AMO rate and share, the rule ids and the tariff date. A séance's line holds it first;
    an invoice line is its frozen copy (FAC-5)."""

    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=12)
    label = models.CharField(max_length=255, blank=True)
    coefficient = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(max_digits=3, decimal_places=2)
    unit_value = models.DecimalField(max_digits=8, decimal_places=2)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    amo_rate = models.DecimalField(max_digits=3, decimal_places=2)
    amo = models.DecimalField(max_digits=9, decimal_places=2)
    rules = models.JSONField(default=list)
    tariff_date = models.DateField("tarif du")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.coefficient or ''} × {self.rate} = {self.amount}"


class SeanceLine(PricedLine):
    """One billed line, frozen as priced: code, coefficient, rate, unit value,
    amount, the rule ids that produced it and the date of the tariff used."""

    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, default="act")
    catalogue_id = models.CharField(max_length=40, blank=True)
    zone = models.CharField(max_length=10, blank=True)
    tariff_source = models.TextField(blank=True)

    class Meta:
        ordering = ["seance", "position"]
        verbose_name = "ligne de séance"
        verbose_name_plural = "lignes de séance"
        constraints = [
            models.UniqueConstraint(fields=["seance", "position"], name="seanceline_position"),
        ]
