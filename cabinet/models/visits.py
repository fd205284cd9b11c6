import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.records import Timestamped

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


class RoutingProfile(models.Model):
    """Where a nurse's day starts and ends, her usual hours and her skills
    (for dispatch). Without one, the day starts and ends at the cabinet."""

    nurse = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_profile"
    )
    start_label = models.CharField("point de départ", max_length=160, blank=True)
    # The address the nurse gives; the coordinates come from it, geocoded like
    # a patient's (offline unless the deployment configures a geocoder).
    start_address = models.CharField("adresse de départ", max_length=255, blank=True)
    start_postcode = models.CharField("code postal", max_length=5, blank=True)
    start_city = models.CharField("commune", max_length=120, blank=True)
    start_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    shift_start = models.TimeField("début de journée", default="07:00")
    shift_end = models.TimeField("fin de journée", default="20:30")
    # Free words, e.g. ["picc", "stomie"]; a visit's `required_skill` must be one of them.
    skills = models.JSONField("compétences", default=list, blank=True)
    # Her daily break (optional): `break_duration` minutes starting between
    # the earliest and latest start; the solver places it between two visits.
    break_earliest = models.TimeField("pause au plus tôt", null=True, blank=True)
    break_latest = models.TimeField("pause au plus tard", null=True, blank=True)
    break_duration = models.PositiveSmallIntegerField("durée de la pause (min)", null=True,
                                                      blank=True)

    class Meta:
        verbose_name = "profil de tournée"
        verbose_name_plural = "profils de tournée"

    def __str__(self) -> str:
        return f"Tournée type de {self.nurse}"


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
    start_label = models.CharField("point de départ", max_length=160, blank=True)
    end_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    end_time = models.TimeField("fin de journée", default="20:30")
    # The figures and the order before the last optimisation, to compare and revert.
    km_before = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    drive_minutes_before = models.PositiveIntegerField(null=True, blank=True)
    previous_order = models.JSONField(default=list, blank=True)
    # The last optimisation: "optimised", "kept", "relaxed" (windows not all met), "fallback".
    optimisation_status = models.CharField(max_length=20, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    departure_time = models.TimeField("départ prévu", null=True, blank=True)
    return_time = models.TimeField("retour prévu", null=True, blank=True)

    class Meta:
        ordering = ["date", "nurse"]
        constraints = [
            models.UniqueConstraint(fields=["nurse", "date"], name="tournee_one_per_nurse_day")
        ]

    def __str__(self) -> str:
        return f"Tournée de {self.nurse} du {self.date:%d/%m/%Y}"


class Visit(Timestamped):
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
    # The titulaire a remplaçant's visit is billed under (FAC-1); set when a
    # replacement contract hands the visit over. None: billed under `nurse`.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="visits_on_behalf", verbose_name="facturé au nom de",
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
    # Set by the nurse: then the duration is no longer learned from past visits.
    duration_set_by_nurse = models.BooleanField("durée fixée par l'infirmier(ère)", default=False)
    locked = models.BooleanField("heure fixée", default=False)
    # Soft windows: weight of one minute past the preferred time, in metres of driving.
    lateness_cost = models.PositiveIntegerField("coût d'un retard (par minute)", default=120)
    required_skill = models.CharField("compétence requise", max_length=40, blank=True)
    after_visit = models.ForeignKey(
        "self", verbose_name="après le passage", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="followers",
    )
    # Minutes past the window (or locked time) in the current plan; 0 = on time.
    late_minutes = models.PositiveIntegerField("retard prévu (min)", default=0)
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


class IcsFeedToken(models.Model):
    """The secret of a nurse's iCalendar feed URL. Revoking it makes the URL
    answer 404; a new token gives a new URL."""

    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ics_tokens"
    )
    token = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lien d'agenda (iCalendar)"
        verbose_name_plural = "liens d'agenda (iCalendar)"

    def __str__(self) -> str:
        return f"Agenda de {self.nurse} ({'révoqué' if self.revoked_at else 'actif'})"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
