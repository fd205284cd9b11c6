"""Forms of the prescriptions and their prescribed acts.
Every message is French and attached to its field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.versioning import VersionedForm
from core.widgets import DateInput

from .. import acts_catalogue
from ..models import Medecin, PrescribedAct, Prescription
from ..models.prescriptions import AldZone
from .common import FileInput, check_file


class PrescriptionForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Prescription
        fields = ["prescriber", "date", "start_date", "duration_days", "bizone", "at_home",
                  "night_required", "rigorously_daily", "file", "notes"]
        widgets = {
            "date": DateInput(), "start_date": DateInput(), "file": FileInput(),
            "duration_days": forms.NumberInput(attrs={"min": 1, "max": 366}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "file": "PDF ou JPEG, 10 Mo au maximum.",
            "bizone": "Ordonnance à deux zones (patient en ALD, R-ALD-12).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prescriber"].queryset = Medecin.objects.all()

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        day, start = cleaned.get("date"), cleaned.get("start_date")
        if day and day > today:
            self.add_error("date", "La date de l'ordonnance est dans le futur.")
        if day and start and start < day:
            self.add_error("start_date", "Le début des soins ne peut pas précéder la date de "
                                         "l'ordonnance.")
        duration = cleaned.get("duration_days")
        if duration is not None and not 1 <= duration <= 366:
            self.add_error("duration_days", "Durée entre 1 et 366 jours.")
        check_file(self, "file")
        return cleaned


class PrescribedActForm(forms.ModelForm):
    catalogue_id = forms.CharField(
        label="Acte (nomenclature NGAP)", required=False, max_length=60,
        widget=forms.TextInput(attrs={"list": "ngap-acts", "autocomplete": "off",
                                      "placeholder": "ex. pansement, AMI 4, XVI-1-3…"}),
    )

    class Meta:
        model = PrescribedAct
        fields = ["catalogue_id", "key", "coefficient", "label", "ald_zone", "frequency"]
        widgets = {"coefficient": forms.NumberInput(attrs={"step": "0.1", "min": "0"})}
        labels = {"ald_zone": "Zone (bizone)"}

    def __init__(self, *args, bizone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.bizone = bizone
        for name in ("key", "label"):
            self.fields[name].required = False
        self.fields["catalogue_id"].help_text = (
            "Tapez quelques lettres puis choisissez : lettre-clé, coefficient et libellé "
            "sont repris de la nomenclature."
        )

    def clean(self):
        cleaned = super().clean()
        if not self.has_changed() and not cleaned.get("catalogue_id"):
            return cleaned
        ref = (cleaned.get("catalogue_id") or "").strip()
        if ref:
            act = acts_catalogue.get(ref)
            if act is None:
                self.add_error("catalogue_id", "Acte introuvable dans la nomenclature : "
                                               "choisissez-le dans la liste proposée.")
            else:
                cleaned["catalogue_id"] = act.id
                cleaned["key"] = act.key
                cleaned["coefficient"] = act.coefficient
                cleaned["label"] = act.label
                self.instance.catalogue_id = act.id
        if not cleaned.get("key"):
            self.add_error("key", "Indiquez la lettre-clé (AMI, AIS, BSA…).")
        if not cleaned.get("label"):
            self.add_error("label", "Indiquez le libellé de l'acte.")
        zone = cleaned.get("ald_zone") or ""
        if self.bizone and zone not in (AldZone.UPPER, AldZone.LOWER):
            self.add_error("ald_zone", "Ordonnance bizone : précisez la zone haute (en rapport "
                                       "avec l'ALD) ou basse.")
        if not self.bizone and zone:
            self.add_error("ald_zone", "Zone réservée aux ordonnances bizones.")
        return cleaned


class BaseActFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, bizone: bool = False, **kwargs):
        self.bizone = bizone
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "bizone": self.bizone}

    def clean(self):
        super().clean()
        kept = [
            f for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.has_changed()
            or (f.instance.pk and not (f.cleaned_data or {}).get("DELETE"))
        ]
        if not kept:
            raise ValidationError("Saisissez au moins un acte prescrit.")


# absolute_max: a forged TOTAL_FORMS would otherwise make Django build and
# render a thousand forms (max_num + 1000) before refusing them.
ActFormSet = forms.inlineformset_factory(
    Prescription, PrescribedAct, form=PrescribedActForm, formset=BaseActFormSet,
    extra=3, can_delete=True, max_num=20, absolute_max=20, validate_max=True,
)


