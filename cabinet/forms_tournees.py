"""Forms of the tournées pages (French messages at the field)."""

from __future__ import annotations

from django import forms

from core.models import Role, User

from .models.visits import NotDoneReason


class DayForm(forms.Form):
    jour = forms.DateField(label="Jour", widget=forms.DateInput(attrs={"type": "date"}),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class DispatchForm(DayForm):
    nurses = forms.ModelMultipleChoiceField(
        label="Infirmier(ère)s de tournée", queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un(e) infirmier(ère) de tournée."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nurses"].queryset = User.objects.filter(
            role__in=[Role.TITULAIRE, Role.REMPLACANT], is_active=True
        ).order_by("username")


class MoveForm(forms.Form):
    visit = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", "Monter"), ("down", "Descendre")])


class VisitPlanForm(forms.Form):
    expected_duration_min = forms.IntegerField(
        label="Durée prévue (min)", min_value=5, max_value=240,
        error_messages={"min_value": "5 minutes au moins.", "max_value": "240 minutes au plus."},
    )
    locked = forms.BooleanField(label="Fixer l'heure", required=False)
    locked_time = forms.TimeField(label="Heure fixée", required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        if data.get("locked") and not data.get("locked_time"):
            self.add_error("locked_time", "Indiquez l'heure à laquelle fixer le passage.")
        return data


class DoneForm(forms.Form):
    performed = forms.TypedMultipleChoiceField(
        label="Actes réalisés", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un acte réalisé."},
    )
    done_time = forms.TimeField(label="Heure", required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}))
    actual_duration_min = forms.IntegerField(
        label="Durée (min)", required=False, min_value=1, max_value=600,
        error_messages={"min_value": "Une minute au moins.", "max_value": "600 minutes au plus."},
    )
    note = forms.CharField(label="Note", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.fields["performed"].choices = [
            (i, f"{a.get('key', '')} {a.get('coefficient') or ''} — {a.get('label', '')}".strip())
            for i, a in enumerate(visit.acts or [])
        ]
        if not self.is_bound:
            self.initial["performed"] = list(range(len(visit.acts or [])))
        self.auto_id = f"id_done_{visit.pk}_%s"


class NotDoneForm(forms.Form):
    reason = forms.ChoiceField(
        label="Motif", choices=[("", "— choisir —"), *NotDoneReason.choices],
        error_messages={"required": "Choisissez le motif.",
                        "invalid_choice": "Choisissez un motif de la liste."},
    )
    note = forms.CharField(label="Note", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_notdone_{visit.pk}_%s"


class ReplanForm(forms.Form):
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90,
                                widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180,
                                 widget=forms.HiddenInput)
