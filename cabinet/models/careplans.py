from django.conf import settings
from django.db import models

from core.records import VersionedRecord

from .patients import Patient
from .prescriptions import PrescribedAct, Prescription


class Recurrence(models.TextChoices):
    DAILY = "daily", "Tous les jours"
    EVERY_N_DAYS = "every_n_days", "Tous les N jours"
    WEEKDAYS = "weekdays", "Certains jours de la semaine"


class CarePlan(VersionedRecord):
    """Planned visits derived from a prescription."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.CASCADE, related_name="care_plans"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_plans")
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="infirmier(ère)", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="care_plans",
    )
    label = models.CharField("intitulé", max_length=160)
    acts = models.ManyToManyField(PrescribedAct, verbose_name="actes", related_name="care_plans")
    start_date = models.DateField("du")
    end_date = models.DateField("au")
    recurrence = models.CharField(max_length=15, choices=Recurrence.choices, default=Recurrence.DAILY)
    interval_days = models.PositiveSmallIntegerField("tous les N jours", default=1)
    # ISO weekdays 1 (lundi) … 7 (dimanche), for Recurrence.WEEKDAYS.
    weekdays = models.JSONField("jours", default=list, blank=True)
    # Times of the visits in a day, "HH:MM".
    times = models.JSONField("heures", default=list)
    window_before_min = models.PositiveSmallIntegerField("fenêtre avant (min)", default=30)
    window_after_min = models.PositiveSmallIntegerField("fenêtre après (min)", default=30)
    hard_window = models.BooleanField("horaire impératif", default=False)
    duration_min = models.PositiveSmallIntegerField("durée prévue (min)", default=15)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["patient", "start_date"]
        verbose_name = "plan de soins"
        verbose_name_plural = "plans de soins"

    def __str__(self) -> str:
        return f"{self.label} — {self.patient}"

    @property
    def schedule_label(self) -> str:
        from ..recurrence import WEEKDAY_LABELS

        if self.recurrence == Recurrence.EVERY_N_DAYS:
            days = f"tous les {self.interval_days} jours" if self.interval_days > 1 else "tous les jours"
        elif self.recurrence == Recurrence.WEEKDAYS:
            days = ", ".join(WEEKDAY_LABELS.get(int(d), "?") for d in sorted(self.weekdays))
        else:
            days = "tous les jours"
        return f"{days} à {', '.join(self.times)}"
