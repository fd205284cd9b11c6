"""Forms of the tournées pages (French messages at the field)."""

from __future__ import annotations

from django import forms

from core.form_fields import IdMultipleChoiceField, validate_plausible_date
from core.models import User
from core.widgets import DateInput, TimeInput

from .. import acts_catalogue
from ..models.visits import NotDoneReason, VisitStatus
from ..selectors.tournees import tournee_nurses
from ..services.visit_outcome import unplanned_acts


class DayForm(forms.Form):
    jour = forms.DateField(label="Jour", widget=DateInput(),
                           input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                           validators=[validate_plausible_date])


class DispatchForm(DayForm):
    nurses = IdMultipleChoiceField(
        label="Infirmier(ère)s de tournée", queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un(e) infirmier(ère) de tournée."},
    )

    absent = IdMultipleChoiceField(
        label="Absent(e)s ce jour", queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leurs passages à faire sont confiés aux infirmier(ère)s de tournée.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("nurses", "absent"):
            self.fields[name].queryset = tournee_nurses()

    def clean(self):
        # A nurse ticked both « de tournée » and « absent(e) » is absent: the
        # page's script unticks « de tournée » as « absent(e) » is ticked, and
        # without the script the form reads it the same way (issue 16).
        data = super().clean()
        nurses, absent = data.get("nurses"), set(data.get("absent") or ())
        if nurses is not None and absent:
            kept = [n for n in nurses if n not in absent]
            if kept:
                data["nurses"] = kept
            else:
                self.add_error("nurses", "Cochez au moins un(e) infirmier(ère) de tournée "
                                         "qui ne soit pas absent(e).")
        return data


class MoveForm(forms.Form):
    visit = forms.IntegerField(widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=[("up", "Monter"), ("down", "Descendre")])


LATENESS_WEIGHTS = [
    (60, "Souple (un retard compte peu)"),
    (120, "Normal"),
    (400, "Important (à l'heure autant que possible)"),
]


class VisitPlanForm(forms.Form):
    expected_duration_min = forms.IntegerField(
        label="Durée prévue (min)", min_value=5, max_value=240,
        error_messages={"min_value": "5 minutes au moins.", "max_value": "240 minutes au plus.",
                        "required": "Indiquez la durée.", "invalid": "Un nombre de minutes."},
    )
    locked = forms.BooleanField(label="Fixer l'heure", required=False)
    locked_time = forms.TimeField(label="Heure fixée", required=False,
                                  widget=TimeInput(),
                                  error_messages={"invalid": "Heure invalide (hh:mm)."})
    after_visit = forms.TypedChoiceField(
        label="Après le passage", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Choisissez un passage de la liste."},
    )
    required_skill = forms.CharField(label="Compétence requise", required=False, max_length=40,
                                     help_text="Pour la répartition (ex. : picc, stomie).")
    lateness_cost = forms.TypedChoiceField(
        label="Ponctualité (horaire souple)", choices=LATENESS_WEIGHTS, coerce=int,
        required=False, empty_value=None,
        error_messages={"invalid_choice": "Choisissez dans la liste."},
    )

    def __init__(self, *args, others=(), nurses=None, **kwargs):
        """`nurses`: the nurses the visit may be handed to (only for those who
        share the cabinet day); without it the form has no such field."""
        super().__init__(*args, **kwargs)
        self.fields["after_visit"].choices = [("", "—")] + [
            (v.pk, f"{v.planned_time:%H:%M} {v.patient}" if v.planned_time else str(v.patient))
            for v in others
        ]
        if nurses is not None:
            self.fields["nurse"] = forms.TypedChoiceField(
                label="Confier à", coerce=int, required=False, empty_value=None,
                choices=[(n.pk, str(n)) for n in nurses],
                help_text="Un(e) collègue ou un(e) remplaçant(e) : le passage rejoint sa tournée.",
                error_messages={"invalid_choice": "Choisissez un(e) infirmier(ère) de la liste."},
            )

    def clean(self):
        data = super().clean()
        if data.get("locked") and not data.get("locked_time"):
            self.add_error("locked_time", "Indiquez l'heure à laquelle fixer le passage.")
        return data


def act_text(act: dict) -> str:
    """How an act of a visit reads in a form: key, coefficient, label."""
    coefficient = act.get("coefficient")
    label = act.get("label") or ""
    text = f"{act.get('key', '')} {coefficient if coefficient is not None else ''}".strip()
    return f"{text} — {label}" if label else text


def unplanned_text(act: dict) -> str:
    """An act done outside the plan, and whether the prescription has it (AUD-1)."""
    return f"{act_text(act)} (ajouté{'' if act.get('prescribed') else ', hors ordonnance'})"


class DoneForm(forms.Form):
    """The acts really done: the planned ones ticked, the unplanned ones
    already noted (a correction) ticked, and one more typed in `added`."""

    performed = forms.TypedMultipleChoiceField(
        label="Actes réalisés", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
    )
    unplanned = forms.TypedMultipleChoiceField(
        label="Actes ajoutés", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
    )
    added = forms.CharField(
        label="Ajouter un acte réalisé", required=False, max_length=120,
        help_text="Un acte non prévu : code, lettre-clé et coefficient (ex. AMI 1) ou mots du "
                  "libellé ; les actes de l'ordonnance sont proposés en premier.",
    )
    done_time = forms.TimeField(label="Heure", required=False,
                                widget=TimeInput())
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
            (i, act_text(a)) for i, a in enumerate(visit.acts or [])]
        # Only a done visit has unplanned acts noted (a correction).
        noted = (unplanned_acts(visit) if visit.status == VisitStatus.DONE else [])
        self.noted_unplanned = noted
        self.fields["unplanned"].choices = [(i, unplanned_text(a)) for i, a in enumerate(noted)]
        if not self.is_bound:
            self.initial["performed"] = list(range(len(visit.acts or [])))
            self.initial["unplanned"] = list(range(len(noted)))
        self.auto_id = f"id_done_{visit.pk}_%s"

    def clean_added(self) -> dict | None:
        try:
            return acts_catalogue.parse(self.cleaned_data["added"])
        except acts_catalogue.ActInputError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        data = super().clean()
        # A visit planned without NGAP act (a cooperation follow-up) is done without one.
        if (self.visit.acts and not data.get("performed") and not data.get("unplanned")
                and not data.get("added") and "added" not in self.errors):
            self.add_error("performed", "Cochez au moins un acte réalisé.")
        return data

    def unplanned_acts(self) -> list[dict]:
        """Every unplanned act done: those kept ticked, then the one added."""
        kept = [self.noted_unplanned[i] for i in self.cleaned_data.get("unplanned") or []]
        added = self.cleaned_data.get("added")
        return kept + ([added] if added else [])


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


class RoutingProfileForm(forms.Form):
    start_label = forms.CharField(label="Nom du point de départ", required=False, max_length=160,
                                  help_text="Par exemple « Domicile ».")
    start_address = forms.CharField(label="Adresse de départ", required=False, max_length=255,
                                    help_text="Vide : la journée part du cabinet et y revient.")
    start_postcode = forms.RegexField(
        label="Code postal", required=False, regex=r"^\d{5}$",
        error_messages={"invalid": "Cinq chiffres."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    start_city = forms.CharField(label="Commune", required=False, max_length=120)
    shift_start = forms.TimeField(label="Début de journée",
                                  widget=TimeInput())
    shift_end = forms.TimeField(label="Fin de journée",
                                widget=TimeInput())
    skills = forms.CharField(label="Compétences", required=False, max_length=300,
                             help_text="Séparées par des virgules (ex. : picc, stomie).")
    break_earliest = forms.TimeField(label="Pause : au plus tôt à", required=False,
                                     widget=TimeInput(),
                                     help_text="Vide : pas de pause réservée dans la tournée.")
    break_latest = forms.TimeField(label="Pause : au plus tard à", required=False,
                                   widget=TimeInput())
    break_duration = forms.IntegerField(
        label="Durée de la pause (minutes)", required=False, min_value=5, max_value=180,
        error_messages={"min_value": "Au moins 5 minutes.", "max_value": "Au plus 3 heures.",
                        "invalid": "Un nombre de minutes."},
    )

    def clean_skills(self) -> list[str]:
        words = [w.strip().lower() for w in self.cleaned_data["skills"].split(",")]
        return sorted({w for w in words if w})

    def clean(self):
        data = super().clean()
        parts = ("start_address", "start_postcode", "start_city")
        given = [name for name in parts if (data.get(name) or "").strip()]
        if given and len(given) < len(parts):
            for name in parts:
                if name not in given and name not in self.errors:
                    self.add_error(name, "Indiquez l'adresse complète (adresse, code postal, "
                                         "commune), ou rien pour partir du cabinet.")
        start, end = data.get("shift_start"), data.get("shift_end")
        if start and end and end <= start:
            self.add_error("shift_end", "La fin de journée doit suivre le début.")
        self._clean_break(data)
        return data

    def _clean_break(self, data) -> None:
        """All three break fields or none; the break starts inside the day and
        ends before it does."""
        parts = ("break_earliest", "break_latest", "break_duration")
        if any(name in self.errors for name in parts):
            return
        given = [name for name in parts if data.get(name) is not None]
        if not given:
            return
        if len(given) < len(parts):
            for name in parts:
                if name not in given:
                    self.add_error(name, "Indiquez l'heure au plus tôt, l'heure au plus tard et "
                                         "la durée de la pause, ou rien.")
            return
        earliest, latest = data["break_earliest"], data["break_latest"]
        if latest < earliest:
            self.add_error("break_latest", "L'heure au plus tard doit suivre l'heure au plus tôt.")
            return
        start, end = data.get("shift_start"), data.get("shift_end")
        if start and end and not (start <= earliest and
                                  _minutes(latest) + data["break_duration"] <= _minutes(end)):
            self.add_error("break_earliest", "La pause doit tenir entre le début et la fin de "
                                             "journée.")


def _minutes(value) -> int:
    return value.hour * 60 + value.minute
