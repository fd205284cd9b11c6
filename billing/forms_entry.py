"""The secretary's act entry (keyboard first): one passage, its acts and its
context. Every message is French and attached to its field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cabinet import acts_catalogue
from cabinet.models import Patient, Prescription
from cabinet.selectors import patients as cabinet_selectors
from core.access import NURSES
from core.form_fields import validate_plausible_date
from core.models import Role, User
from core.widgets import DateInput, TimeInput

from .ngap.tariffs import load as load_tariffs
from .services import EntryData

PLACE_CHOICES = [("domicile", "Domicile du patient"), ("cabinet", "Cabinet"),
                 ("ehpad", "EHPAD (résidence du patient)")]
_PK_RANGE = range(1, 2**63)
_PATIENT_ID = re.compile(r"n°\s*(\d{1,18})\s*$")


def patient_option(patient: Patient) -> str:
    """The text of a patient in the type-ahead (and what the field gets back)."""
    birth = f"{patient.birth_date:%d/%m/%Y}" if patient.birth_date else "?"
    return f"{patient.last_name.upper()} {patient.first_name} — né(e) le {birth} · n°{patient.pk}"


class _SafeChoice(forms.ModelChoiceField):
    """A forged key beyond 64 bits is refused like any unknown choice."""

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                number = int(str(value))
            except ValueError:
                number = None
            if number is not None and number not in _PK_RANGE:
                raise ValidationError(self.error_messages["invalid_choice"],
                                      code="invalid_choice")
        return super().to_python(value)


class _UserChoice(_SafeChoice):
    def label_from_instance(self, obj) -> str:
        role = "remplaçant(e)" if obj.role == Role.REMPLACANT else "titulaire"
        return f"{obj.get_full_name() or obj.username} ({role})"


class EntryForm(forms.Form):
    patient = forms.CharField(
        label="Patient", max_length=200,
        help_text="Nom, date de naissance (jj/mm/aaaa) ou NIR ; flèche bas pour choisir.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True,
                                      "list": "entry-patients", "spellcheck": "false"}),
        error_messages={"required": "Choisissez le patient."},
    )
    date = forms.DateField(label="Date des soins", widget=DateInput,
                           validators=[validate_plausible_date],
                           error_messages={"required": "Indiquez la date des soins.",
                                           "invalid": "Date invalide."})
    time = forms.TimeField(label="Heure", widget=TimeInput,
                           error_messages={"required": "Indiquez l'heure du passage.",
                                           "invalid": "Heure invalide (HH:MM)."})
    performed_by = _UserChoice(
        label="Soins réalisés par", queryset=User.objects.none(),
        error_messages={"required": "Qui a réalisé les soins ?",
                        "invalid_choice": "Infirmier(ère) inconnu(e)."})
    nurse = _UserChoice(
        label="Facturé au nom de", queryset=User.objects.none(), required=False,
        empty_label="— l'infirmier(ère) qui a réalisé les soins —",
        help_text="FAC-1 : la titulaire remplacée quand un(e) remplaçant(e) a réalisé les soins.",
        error_messages={"invalid_choice": "Titulaire inconnue."})
    prescription = _SafeChoice(
        label="Ordonnance", queryset=Prescription.objects.none(), required=False,
        empty_label="Sans ordonnance",
        error_messages={"invalid_choice": "Ordonnance inconnue."})
    place = forms.ChoiceField(label="Lieu", choices=PLACE_CHOICES, initial="domicile",
                              widget=forms.RadioSelect)
    urgent_call = forms.BooleanField(label="Appel d'urgence", required=False)
    urgent_night_prescribed = forms.BooleanField(label="Exécution de nuit prescrite",
                                                 required=False)
    sunday_holiday_prescribed = forms.BooleanField(
        label="Dimanche / férié prescrit (soins rigoureusement quotidiens)", required=False)
    palliative = forms.BooleanField(label="Soins palliatifs", required=False)
    distance_km = forms.DecimalField(
        label="Distance aller cabinet → patient (km)", required=False, min_value=Decimal(0),
        max_value=Decimal(2000), max_digits=6, decimal_places=2,
        help_text="Vide : estimée d'après l'adresse du patient.",
        error_messages={"min_value": "La distance ne peut pas être négative.",
                        "max_value": "Distance invraisemblable (plus de 2 000 km).",
                        "invalid": "Nombre attendu (ex. 4,5)."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # Read by `parse_version` when saving: a missing or forged version is
    # refused with the stale-edit message, not as a hidden field's error.
    row_version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        nurses = User.objects.filter(role__in=NURSES, is_active=True).order_by(
            "last_name", "first_name")
        titulaires = nurses.filter(role=Role.TITULAIRE)
        if user.role == Role.TITULAIRE:
            # A titulaire enters her own care, or her remplaçant's under her name.
            nurses = nurses.filter(pk=user.pk) | nurses.filter(role=Role.REMPLACANT)
            titulaires = titulaires.filter(pk=user.pk)
        self.fields["performed_by"].queryset = nurses
        self.fields["nurse"].queryset = titulaires
        self.fields["prescription"].queryset = cabinet_selectors.prescriptions_visible_to(user)
        self.patient_obj: Patient | None = None

    def clean_patient(self) -> Patient:
        text = self.cleaned_data["patient"].strip()
        visible = cabinet_selectors.patients_visible_to(self.user)
        match = _PATIENT_ID.search(text)
        if match:
            patient = visible.filter(pk=int(match.group(1))).first()
            if patient is not None:
                self.patient_obj = patient
                return patient
        found = list(cabinet_selectors.search_patients(visible, text)[:2])
        if not found:
            raise ValidationError("Aucun patient ne correspond : vérifiez le nom, la date de "
                                  "naissance ou le NIR.")
        if len(found) > 1:
            raise ValidationError("Plusieurs patients correspondent : choisissez dans la liste "
                                  "ou précisez la date de naissance.")
        self.patient_obj = found[0]
        return found[0]

    def clean_date(self):
        day = self.cleaned_data["date"]
        first = load_tariffs().first_date_of("metropole")
        if day < first:
            raise ValidationError(f"Aucun tarif n'est connu avant le {first:%d/%m/%Y}.")
        if day > timezone.localdate():
            raise ValidationError("Les soins saisis ne peuvent pas être dans le futur.")
        return day

    def clean(self):
        data = super().clean()
        performer, billed = data.get("performed_by"), data.get("nurse")
        if performer is not None:
            if performer.role == Role.REMPLACANT and billed is None:
                self.add_error("nurse", "Un(e) remplaçant(e) facture au nom de la titulaire "
                                        "remplacée (FAC-1) : choisissez-la.")
            elif performer.role == Role.TITULAIRE and billed is not None and billed != performer:
                self.add_error("nurse", "Une titulaire facture en son propre nom les soins "
                                        "qu'elle a réalisés (FAC-1).")
            elif billed is None:
                data["nurse"] = performer
        patient, prescription = data.get("patient"), data.get("prescription")
        if patient is not None and prescription is not None:
            if prescription.patient_id != patient.pk:
                self.add_error("prescription", "Cette ordonnance n'est pas celle de ce patient.")
            elif data.get("date") and not (
                    prescription.start_date <= data["date"] <= prescription.end_date):
                self.add_error("prescription", (
                    f"Ordonnance valable du {prescription.start_date:%d/%m/%Y} au "
                    f"{prescription.end_date:%d/%m/%Y} : les soins du "
                    f"{data['date']:%d/%m/%Y} n'en relèvent pas."))
        if patient is not None and data.get("date") and patient.birth_date > data["date"]:
            self.add_error("date", "Le patient n'était pas né à cette date.")
        return data


class EntryActForm(forms.Form):
    act = forms.CharField(
        label="Acte", max_length=120, required=False,
        help_text="Code de la nomenclature, ou lettre-clé et coefficient (ex. AMI 4).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "entry-acts",
                                      "spellcheck": "false"}),
    )
    coefficient = forms.DecimalField(
        label="Coefficient", required=False, min_value=Decimal("0.01"), max_value=Decimal(100),
        max_digits=6, decimal_places=2,
        error_messages={"min_value": "Le coefficient doit être positif.",
                        "max_value": "Coefficient invraisemblable.",
                        "invalid": "Nombre attendu (ex. 1,5)."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                      "size": 5}),
    )

    def clean(self):
        data = super().clean()
        data["parsed"] = None
        if "coefficient" in self.errors:
            return data
        try:
            data["parsed"] = acts_catalogue.parse(data.get("act") or "",
                                                  data.get("coefficient"))
        except acts_catalogue.ActInputError as exc:
            self.add_error(exc.field, exc.message)
        return data


class BaseEntryActFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.acts():
            raise ValidationError("Saisissez au moins un acte.")

    def acts(self) -> list[dict]:
        return [f.cleaned_data["parsed"] for f in self.forms
                if getattr(f, "cleaned_data", None) and f.cleaned_data.get("parsed")]


EntryActFormSet = forms.formset_factory(EntryActForm, formset=BaseEntryActFormSet, extra=4,
                                        max_num=8, absolute_max=8, validate_max=True)


def entry_data(form: EntryForm, formset) -> EntryData:
    data = form.cleaned_data
    return EntryData(
        patient=data["patient"], date=data["date"], time=data["time"], nurse=data["nurse"],
        performed_by=data["performed_by"], prescription=data.get("prescription"),
        acts=formset.acts(), place=data["place"], urgent_call=data["urgent_call"],
        palliative=data["palliative"], urgent_night_prescribed=data["urgent_night_prescribed"],
        sunday_holiday_prescribed=data["sunday_holiday_prescribed"],
        distance_km=data.get("distance_km"),
    )


def initial_from_seance(seance) -> tuple[dict, list[dict]]:
    """The form's initial values to edit an entered séance."""
    entry = seance.entry or {}
    initial = {
        "patient": patient_option(seance.patient), "date": seance.date, "time": seance.time,
        "performed_by": seance.performed_by_id,
        "nurse": seance.nurse_id if seance.nurse_id != seance.performed_by_id else None,
        "prescription": seance.prescription_id, "place": entry.get("place") or "domicile",
        "urgent_call": bool(entry.get("urgent_call")),
        "urgent_night_prescribed": bool(entry.get("urgent_night_prescribed")),
        "sunday_holiday_prescribed": bool(entry.get("sunday_holiday_prescribed")),
        "palliative": bool(entry.get("palliative")),
        "distance_km": entry.get("distance_km"), "row_version": seance.row_version,
    }
    acts = [{"act": a.get("catalogue_id") or f"{a.get('key')} {a.get('coefficient') or ''}".strip(),
             "coefficient": a.get("coefficient") if a.get("catalogue_id") else None}
            for a in entry.get("acts") or []]
    return initial, acts


def current_prescriptions(user, patient: Patient | None, day: date | None):
    """The patient's prescriptions in force on the day (or today), newest first."""
    if patient is None:
        return []
    day = day or timezone.localdate()
    qs = (cabinet_selectors.prescriptions_visible_to(user).filter(patient=patient,
                                                                 start_date__lte=day)
          .select_related("prescriber").prefetch_related("acts").order_by("-start_date", "-pk"))
    return [p for p in qs[:20] if p.end_date >= day]
