from django.conf import settings
from django.db import models

from .careplans import CarePlan
from .patients import Patient


class VisitStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    DONE = "done", "Faite"
    NOT_DONE = "not_done", "Non faite"
    CANCELLED = "cancelled", "Annulée"


class NotDoneReason(models.TextChoices):
    ABSENT = "absent", "Patient absent"
    HOSPITALISE = "hospitalise", "Hospitalisé"
    REFUS = "refus", "Refus de soins"
    DECEDE = "decede", "Décédé"
    AUTRE = "autre", "Autre"


class Tournee(models.Model):
    """One nurse's ordered visits on one date."""

    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tournees"
    )
    date = models.DateField()
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_time = models.TimeField("départ", default="07:00")
    optimised_at = models.DateTimeField(null=True, blank=True)
    km_estimated = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    drive_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["date", "nurse"]
        constraints = [
            models.UniqueConstraint(fields=["nurse", "date"], name="tournee_one_per_nurse_day")
        ]

    def __str__(self) -> str:
        return f"Tournée de {self.nurse} du {self.date:%d/%m/%Y}"


class Visit(models.Model):
    """One planned passage at a patient's, generated from a care plan or added by hand."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    care_plan = models.ForeignKey(
        CarePlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    # Which occurrence of the care plan this is ("HH:MM" slot of `date`):
    # generation is idempotent on (care_plan, date, slot).
    slot = models.CharField(max_length=5, blank=True)
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="visits",
    )
    tournee = models.ForeignKey(
        Tournee, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    date = models.DateField()
    window_start = models.TimeField("pas avant")
    window_end = models.TimeField("pas après")
    hard_window = models.BooleanField("horaire impératif", default=False)
    preferred_time = models.TimeField("heure souhaitée", null=True, blank=True)
    planned_time = models.TimeField("heure prévue", null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(null=True, blank=True)
    expected_duration_min = models.PositiveSmallIntegerField("durée prévue (min)", default=15)
    locked = models.BooleanField("heure fixée", default=False)
    # Catalogue acts to do: [{"catalogue_id", "key", "coefficient", "label", "ald_zone"}].
    acts = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    done_at = models.DateTimeField(null=True, blank=True)
    performed_acts = models.JSONField(default=list, blank=True)
    actual_duration_min = models.PositiveSmallIntegerField(null=True, blank=True)
    not_done_reason = models.CharField(
        max_length=12, choices=NotDoneReason.choices, blank=True, default=""
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "sequence", "window_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["care_plan", "date", "slot"],
                condition=models.Q(care_plan__isnull=False),
                name="visit_one_per_care_plan_slot",
            )
        ]
        indexes = [models.Index(fields=["nurse", "date"]), models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.patient} le {self.date:%d/%m/%Y}"
