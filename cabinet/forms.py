"""Forms of the cabinet app (patients, médecins, ALD, prescriptions, care plans).
Every message is French and attached to its field."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.form_fields import IdMultipleChoiceField, validate_plausible_date
from core.models import Role, User
from core.widgets import DateInput

from . import acts_catalogue, ald_rules
from .models import Ald, CarePlan, Medecin, Patient, PrescribedAct, Prescription
from .models.prescriptions import AldZone
from .recurrence import WEEKDAY_LABELS, RecurrenceError, expand, parse_times
from .validators import check_nir, check_rpps, check_upload, compact_nir

PHONE_RE = re.compile(r"^\+?[\d .\-()]{6,20}$")


def _check_phone(form: forms.Form, name: str) -> None:
    value = form.cleaned_data.get(name)
    if value and not PHONE_RE.match(value):
        form.add_error(name, "Numéro de téléphone invalide (chiffres, espaces, + et tirets).")


def check_file(form: forms.Form, name: str) -> None:
    """S-DATA-4 at the field: size first, then the first bytes."""
    upload = form.cleaned_data.get(name)
    if not upload or not hasattr(upload, "size") or not hasattr(upload, "content_type"):
        return  # no new upload (empty or the stored file)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    result = check_upload(upload.name, upload.size, head)
    for error in result.errors:
        form.add_error(name, error)


class FileInput(forms.ClearableFileInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"accept": "application/pdf,image/jpeg", **(attrs or {})})


# ------------------------------------------------------------------ patients


class PatientForm(forms.ModelForm):
    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Typed with spaces as printed on the carte Vitale: longer than the 15 stored.
    nir = forms.CharField(
        label="NIR", required=False, max_length=25,
        help_text="15 caractères (clé comprise) ; 2A/2B pour la Corse.",
        widget=forms.TextInput(attrs={"autocomplete": "off",
                                      "placeholder": "1 50 03 37 261 123 42"}),
    )

    class Meta:
        model = Patient
        fields = [
            "last_name", "first_name", "birth_name", "birth_date", "sex", "nir",
            "address", "address_complement", "postcode", "city", "door_code", "access_info",
            "phone", "phone2", "entourage_name", "entourage_phone",
            "amo_regime", "amo_caisse_code", "amc_name", "amc_tiers_payant",
            "medecin_traitant", "referent_nurse", "mdph_handicap", "mdph_date",
            "bsi_level", "bsi_date", "admin_notes", "clinical_notes", "is_active",
        ]
        widgets = {
            "birth_date": DateInput(), "mdph_date": DateInput(), "bsi_date": DateInput(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "phone2": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "entourage_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
            "access_info": forms.Textarea(attrs={"rows": 2}),
            "admin_notes": forms.Textarea(attrs={"rows": 3}),
            "clinical_notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "bsi_date": "Obligatoire si un niveau BSI est choisi.",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        from .selectors import can_see_clinical

        if not can_see_clinical(user):
            # S-AUTHZ-1: the secrétaire never sees nor posts clinical notes.
            del self.fields["clinical_notes"]
        self.fields["referent_nurse"].queryset = User.objects.filter(
            role__in=(Role.TITULAIRE, Role.REMPLACANT), is_active=True
        )
        self.fields["medecin_traitant"].queryset = Medecin.objects.all()
        if self.instance.pk:
            self.fields["row_version"].initial = self.instance.row_version

    def clean_nir(self) -> str:
        return compact_nir(self.cleaned_data.get("nir", ""))

    def clean_postcode(self) -> str:
        value = (self.cleaned_data.get("postcode") or "").strip()
        if not re.fullmatch(r"\d{5}", value):
            raise ValidationError("Le code postal compte 5 chiffres.")
        return value

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        birth = cleaned.get("birth_date")
        if birth and birth > today:
            self.add_error("birth_date", "La date de naissance est dans le futur.")
        elif birth and birth.year < 1900:
            self.add_error("birth_date", "Date de naissance invalide (avant 1900).")
        nir = cleaned.get("nir")
        if nir and "nir" not in self.errors:
            result = check_nir(nir, birth_date=birth, sex=cleaned.get("sex"))
            for error in result.errors:
                self.add_error("nir", error)
            self.warnings.extend(result.warnings)
        for name in ("phone", "phone2", "entourage_phone"):
            _check_phone(self, name)
        mdph_date = cleaned.get("mdph_date")
        if mdph_date and not cleaned.get("mdph_handicap"):
            self.add_error("mdph_date", "Date de reconnaissance MDPH sans handicap reconnu : "
                                        "cochez « handicap reconnu » ou effacez la date.")
        if mdph_date and mdph_date > today:
            self.add_error("mdph_date", "La date de reconnaissance MDPH est dans le futur.")
        if mdph_date and birth and mdph_date < birth:
            self.add_error("mdph_date", "La reconnaissance MDPH précède la naissance.")
        bsi_level, bsi_date = cleaned.get("bsi_level"), cleaned.get("bsi_date")
        if bsi_level and not bsi_date:
            self.add_error("bsi_date", "Indiquez la date du BSI.")
        if bsi_date and bsi_date > today:
            self.add_error("bsi_date", "La date du BSI est dans le futur.")
        if bsi_date and birth and bsi_date < birth:
            self.add_error("bsi_date", "La date du BSI précède la naissance.")
        return cleaned


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher", required=False, max_length=100,
        widget=forms.TextInput(attrs={
            "type": "search", "placeholder": "Nom, date de naissance (jj/mm/aaaa) ou NIR",
            "autocomplete": "off", "autofocus": True,
        }),
    )


# ------------------------------------------------------------------ médecins


class MedecinForm(forms.ModelForm):
    confirm_rpps = forms.BooleanField(
        label="Je confirme ce n° RPPS malgré la clé", required=False,
        help_text="La clé de Luhn du RPPS n'est pas une règle officielle vérifiée (R-ID-2).",
    )

    class Meta:
        model = Medecin
        fields = ["last_name", "first_name", "rpps", "specialty", "address", "postcode", "city",
                  "phone", "email"]
        widgets = {
            "rpps": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 11,
                                           "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 5}),
        }

    def clean_rpps(self) -> str:
        value = re.sub(r"\s", "", self.cleaned_data.get("rpps") or "")
        result = check_rpps(value)
        if result.errors:
            raise ValidationError(result.errors)
        # The conditional unique constraint would only give a generic form error.
        same = value and Medecin.objects.filter(rpps=value).exclude(pk=self.instance.pk).first()
        if same:
            raise ValidationError(f"Ce n° RPPS est déjà celui du {same}.")
        return value

    def clean(self):
        cleaned = super().clean()
        rpps = cleaned.get("rpps")
        if rpps and "rpps" not in self.errors:
            result = check_rpps(rpps)
            if result.warnings and not cleaned.get("confirm_rpps"):
                self.add_error("rpps", result.warnings[0] + " Cochez la confirmation pour "
                                                             "l'enregistrer quand même.")
        postcode = cleaned.get("postcode")
        if postcode and not re.fullmatch(r"\d{5}", postcode):
            self.add_error("postcode", "Le code postal compte 5 chiffres.")
        _check_phone(self, "phone")
        return cleaned


# ------------------------------------------------------------------ ALD


class AldForm(forms.ModelForm):
    ald_number = forms.TypedChoiceField(
        label="Affection", coerce=int, choices=ald_rules.ald_choices(),
    )

    class Meta:
        model = Ald
        fields = [
            "ald_number", "label", "exonerante", "procedure", "electronic", "established_by",
            "sent_at", "decision", "decision_at", "valid_from", "validity_years",
            "related_care", "volet_scan", "patient_volet_seen_at",
        ]
        widgets = {
            "sent_at": DateInput(), "decision_at": DateInput(), "valid_from": DateInput(),
            "patient_volet_seen_at": DateInput(), "volet_scan": FileInput(),
            "related_care": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"label": "Libellé précis (diagnostic)"}
        help_texts = {
            "label": "Laisser vide pour reprendre l'intitulé de la liste.",
            "sent_at": "Sans réponse 14 jours après l'envoi, le protocole est réputé accepté "
                       "(R-ALD-7).",
            "validity_years": "3, 5 ou 10 ans (R-ALD-8) ; la procédure dérogatoire ouvre 6 mois "
                              "(R-ALD-9).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        self.fields["label"].required = False
        self.fields["established_by"].queryset = Medecin.objects.all()

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        birth = self.instance.patient.birth_date if self.instance.patient_id else None
        sent_at, decision_at = cleaned.get("sent_at"), cleaned.get("decision_at")
        decision = cleaned.get("decision")
        valid_from = cleaned.get("valid_from")
        for name, label in (("sent_at", "La date d'envoi"), ("decision_at", "La date de décision"),
                            ("patient_volet_seen_at", "La date de présentation du volet 3")):
            day = cleaned.get(name)
            if day and day > today:
                self.add_error(name, f"{label} est dans le futur.")
            elif day and birth and day < birth:
                self.add_error(name, f"{label} précède la naissance du patient.")
        if decision_at and sent_at and decision_at < sent_at:
            self.add_error("decision_at", "La décision ne peut pas précéder l'envoi du protocole.")
        if decision in ("accepted", "refused") and not sent_at:
            self.add_error("sent_at", "Indiquez la date d'envoi du protocole.")
        if decision_at and decision == "pending":
            self.add_error("decision_at", "Date de décision sans décision : choisissez « accepté » "
                                          "ou « refusé », ou effacez la date.")
        if valid_from and birth and valid_from < birth:
            self.add_error("valid_from", "Le début de validité précède la naissance du patient.")
        elif valid_from and valid_from > today + timedelta(days=366):
            self.add_error("valid_from", "Le début de validité est à plus d'un an : vérifiez "
                                         "l'année.")
        procedure = cleaned.get("procedure")
        if valid_from and procedure == "standard" and not cleaned.get("validity_years"):
            self.add_error("validity_years", "Choisissez la durée d'exonération (3, 5 ou 10 ans).")
        if procedure == "derogatoire":
            cleaned["validity_years"] = None
        self._check_author(cleaned, procedure)
        check_file(self, "volet_scan")
        return cleaned

    def _check_author(self, cleaned, procedure) -> None:
        """R-ALD-3: the standard protocol is drawn up by the médecin traitant;
        R-ALD-9: in the procédure dérogatoire another doctor (hospital,
        emergency) draws it up. The médecin traitant may have changed since,
        so a mismatch is a warning, not an error."""
        author = cleaned.get("established_by")
        traitant = self.instance.patient.medecin_traitant if self.instance.patient_id else None
        if not author or not traitant:
            return
        if procedure == "standard" and author != traitant:
            self.warnings.append(
                f"Protocole standard établi par {author}, qui n'est pas le médecin traitant "
                f"({traitant}) : c'est au médecin traitant de l'établir (R-ALD-3)."
            )
        elif procedure == "derogatoire" and author == traitant:
            self.warnings.append(
                "Procédure dérogatoire établie par le médecin traitant : elle est réservée au "
                "diagnostic posé à l'hôpital ou en urgence ; le médecin traitant établit "
                "d'ordinaire le protocole standard (R-ALD-9)."
            )


# ------------------------------------------------------------------ prescriptions


class PrescriptionForm(forms.ModelForm):
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
        if acts_catalogue.available():
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
            if acts_catalogue.available() and act is None:
                self.add_error("catalogue_id", "Acte introuvable dans la nomenclature : "
                                               "choisissez-le dans la liste proposée.")
            elif act is not None:
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


# ------------------------------------------------------------------ care plans


# A nurse's visit and its time window stay within a working day; a plan
# spacing its visits more than a month apart is a typing error.
MAX_INTERVAL_DAYS = 31
MAX_WINDOW_MIN = 720
MIN_VISIT_MIN, MAX_VISIT_MIN = 5, 240


class CarePlanForm(forms.ModelForm):
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
            role__in=(Role.TITULAIRE, Role.REMPLACANT), is_active=True
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
