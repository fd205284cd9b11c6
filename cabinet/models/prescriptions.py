from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from core.form_fields import safe_add_days
from core.records import VersionedRecord, random_upload_name

from .patients import Medecin, Patient


class AldZone(models.TextChoices):
    """Zone of a bizone prescription (R-ALD-12, R-ALD-13)."""

    NONE = "", "Ordonnance simple"
    UPPER = "upper", "Zone haute (en rapport avec l'ALD)"
    LOWER = "lower", "Zone basse (sans rapport)"


def prescription_upload_to(instance, filename: str) -> str:
    return random_upload_name("ordonnances/%Y/%m", filename)


class Prescription(VersionedRecord):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prescriptions")
    prescriber = models.ForeignKey(
        Medecin, verbose_name="prescripteur", on_delete=models.PROTECT, related_name="prescriptions"
    )
    date = models.DateField("date de l'ordonnance")
    start_date = models.DateField("début des soins")
    duration_days = models.PositiveIntegerField("durée (jours)")
    bizone = models.BooleanField("ordonnance bizone", default=False)
    at_home = models.BooleanField("soins à domicile", default=True)
    night_required = models.BooleanField("exécution de nuit impérative", default=False)
    rigorously_daily = models.BooleanField("soins rigoureusement quotidiens", default=False)
    file = models.FileField("scan de l'ordonnance", upload_to=prescription_upload_to, blank=True)
    notes = models.TextField("remarques", blank=True)
    renewal_requested_at = models.DateTimeField(
        "renouvellement demandé le", null=True, blank=True
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "ordonnance"
        indexes = [models.Index(fields=["patient", "start_date"])]

    def __str__(self) -> str:
        return f"Ordonnance du {self.date:%d/%m/%Y} — {self.patient}"

    @property
    def end_date(self) -> date:
        """Last day of care covered by the prescription."""
        # Clamped: a date stored before dates had a range must not 500 a page.
        return safe_add_days(self.start_date, max(self.duration_days, 1) - 1)

    def days_left(self, day: date | None = None) -> int:
        return (self.end_date - (day or timezone.localdate())).days

    @property
    def expiry_state(self) -> str:
        """"expired", "soon" (within 7 days) or "" for the UI."""
        left = self.days_left()
        if left < 0:
            return "expired"
        if left <= 7:
            return "soon"
        return ""


class PrescribedAct(models.Model):
    prescription = models.ForeignKey(Prescription, on_delete=models.CASCADE, related_name="acts")
    catalogue_id = models.CharField("acte (nomenclature)", max_length=60, blank=True)
    key = models.CharField("lettre-clé", max_length=5)
    coefficient = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    label = models.CharField("libellé", max_length=255)
    ald_zone = models.CharField(max_length=5, choices=AldZone.choices, blank=True, default="")
    frequency = models.CharField("fréquence", max_length=120, blank=True)

    class Meta:
        ordering = ["prescription", "pk"]
        verbose_name = "acte prescrit"
        verbose_name_plural = "actes prescrits"

    def __str__(self) -> str:
        coef = f" {self.coefficient.normalize()}" if self.coefficient is not None else ""
        return f"{self.key}{coef} — {self.label}"

    def as_visit_act(self) -> dict:
        """The JSON shape of an act on a Visit."""
        return {
            "catalogue_id": self.catalogue_id,
            "key": self.key,
            "coefficient": (
                format(self.coefficient.normalize(), "f") if self.coefficient is not None else None
            ),
            "label": self.label,
            "ald_zone": self.ald_zone,
        }
