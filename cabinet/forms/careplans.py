"""Form of the care plan (the visits a prescription calls for).
Every message is French and attached to its field."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access import NURSES
from core.form_fields import IdMultipleChoiceField, validate_plausible_date
from core.models import User
from core.versioning import VersionedForm
from core.widgets import DateInput

from ..models import CarePlan, Prescription
from ..recurrence import WEEKDAY_LABELS, RecurrenceError, expand, parse_times

# A nurse's visit and its time window stay within a working day; a plan
# spacing its visits more than a month apart is a typing error.
MAX_INTERVAL_DAYS = 31
MAX_WINDOW_MIN = 720
MIN_VISIT_MIN, MAX_VISIT_MIN = 5, 240


class CarePlanForm(VersionedForm, forms.ModelForm):
    times_text = forms.CharField(
        label="Heures de passage", max_length=60,
        help_text="Séparées par des virgules, par ex. « 08:00, 19:00 ».",
    )
    weekdays_choice = forms.TypedMultipleChoiceField(
        label="Jours de la semaine", required=False, coerce=int,
        choices=list(WEEKDAY_LABELS.items()), widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CarePlan
        fields = ["label", "acts", "nurse", "start_date", "end_date", "recurrence",
                  "interval_days", "window_before_min", "window_after_min", "hard_window",
                  "duration_min"]
        widgets = {
            "start_date": DateInput(), "end_date": DateInput(),
            "acts": forms.CheckboxSelectMultiple,
            "interval_days": forms.NumberInput(attrs={"min": 1, "max": 31}),
        }
        field_classes = {"acts": IdMultipleChoiceField}

    def __init__(self, *args, prescription: Prescription, **kwargs):
        super().__init__(*args, **kwargs)
        self.prescription = prescription
        for name in ("start_date", "end_date"):
            self.fields[name].validators.append(validate_plausible_date)
        self.warnings: list[str] = []
        self.fields["acts"].queryset = prescription.acts.all()
        self.fields["nurse"].queryset = User.objects.filter(
            role__in=NURSES, is_active=True
        )
        self.fields["nurse"].required = True
        if self.instance.pk:
            self.fields["times_text"].initial = ", ".join(self.instance.times)
            self.fields["weekdays_choice"].initial = self.instance.weekdays
        elif not self.is_bound:
            # A new plan covers the rest of the prescription with all its acts.
            self.initial["start_date"] = max(prescription.start_date, timezone.localdate())
            self.initial["end_date"] = prescription.end_date
            self.initial["acts"] = list(prescription.acts.values_list("pk", flat=True))

    def _bounded(self, name: str, low: int, high: int, message: str) -> int | None:
        value = self.cleaned_data.get(name)
        if value is not None and not low <= value <= high:
            raise ValidationError(message)
        return value

    def clean_interval_days(self):
        if self.cleaned_data.get("recurrence") != "every_n_days":
            return 1  # only "every N days" uses it
        return self._bounded("interval_days", 1, MAX_INTERVAL_DAYS,
                             f"Intervalle entre 1 et {MAX_INTERVAL_DAYS} jours.")

    def clean_window_before_min(self):
        return self._bounded("window_before_min", 0, MAX_WINDOW_MIN,
                             f"Fenêtre de 0 à {MAX_WINDOW_MIN} minutes.")

    def clean_window_after_min(self):
        return self._bounded("window_after_min", 0, MAX_WINDOW_MIN,
                             f"Fenêtre de 0 à {MAX_WINDOW_MIN} minutes.")

    def clean_duration_min(self):
        return self._bounded("duration_min", MIN_VISIT_MIN, MAX_VISIT_MIN,
                             f"Durée d'un passage entre {MIN_VISIT_MIN} et {MAX_VISIT_MIN} "
                             "minutes.")

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["times"] = parse_times(cleaned.get("times_text") or "")
        except RecurrenceError as exc:
            self.add_error("times_text", str(exc))
            return cleaned
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if not (start and end):
            return cleaned
        if end < start:
            self.add_error("end_date", "La date de fin précède la date de début.")
            return cleaned
        if start < self.prescription.start_date:
            self.add_error("start_date", "Le plan ne peut pas commencer avant le début des soins "
                                         f"prescrits ({self.prescription.start_date:%d/%m/%Y}).")
        if end > self.prescription.end_date:
            self.warnings.append(
                f"Le plan dépasse la fin de l'ordonnance ({self.prescription.end_date:%d/%m/%Y}) : "
                "pensez à demander le renouvellement."
            )
        recurrence = cleaned.get("recurrence")
        weekdays = cleaned.get("weekdays_choice") or []
        if recurrence == "weekdays" and not weekdays:
            self.add_error("weekdays_choice", "Choisissez au moins un jour de la semaine.")
            return cleaned
        try:
            expand(start=start, end=end, recurrence=recurrence, times=cleaned["times"],
                   interval_days=cleaned.get("interval_days") or 1, weekdays=weekdays)
        except RecurrenceError as exc:
            self.add_error("end_date", str(exc))
        if end - start > timedelta(days=366):
            self.add_error("end_date", "Un plan de soins couvre au plus un an.")
        if not cleaned.get("acts"):
            self.add_error("acts", "Choisissez au moins un acte de l'ordonnance.")
        return cleaned

    def save(self, commit: bool = True):
        plan = super().save(commit=False)
        plan.times = self.cleaned_data["times"]
        plan.weekdays = (
            sorted(self.cleaned_data.get("weekdays_choice") or [])
            if plan.recurrence == "weekdays" else []
        )
        if plan.recurrence != "every_n_days":
            plan.interval_days = 1
        plan.prescription = self.prescription
        plan.patient_id = self.prescription.patient_id
        return plan
