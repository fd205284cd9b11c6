from django.db import models

from .patients import Medecin, Patient


class AldZone(models.TextChoices):
    """Zone of a bizone prescription (R-ALD-12, R-ALD-13)."""

    NONE = "", "Ordonnance simple"
    UPPER = "upper", "Zone haute (en rapport avec l'ALD)"
    LOWER = "lower", "Zone basse (sans rapport)"


class Prescription(models.Model):
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
    file = models.FileField("scan de l'ordonnance", upload_to="ordonnances/%Y/%m/", blank=True)
    notes = models.TextField("remarques", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "ordonnance"

    def __str__(self) -> str:
        return f"Ordonnance du {self.date:%d/%m/%Y} — {self.patient}"


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
