"""Forms of the patient record: patient, médecin, ALD.
Every message is French and attached to its field."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access import NURSES
from core.models import User
from core.versioning import VersionedForm
from core.widgets import DateInput

from .. import ald_rules
from ..models import Ald, Medecin, Patient
from ..selectors.patients import can_see_clinical
from ..validators import check_nir, check_rpps, compact_nir
from .common import FileInput, check_file, check_phone


class PatientForm(VersionedForm, forms.ModelForm):
    # The page's sections, in order (a field the user may not see is left out).
    FIELDSETS = (
        ("Identité", ("last_name", "first_name", "birth_name", "birth_date", "sex", "nir")),
        ("Adresse et contacts", ("address", "address_complement", "postcode", "city",
                                 "door_code", "access_info", "phone", "phone2",
                                 "entourage_name", "entourage_phone")),
        ("Couverture et suivi", ("amo_regime", "amo_caisse_code", "amc_name",
                                 "amc_tiers_payant", "medecin_traitant", "referent_nurse",
                                 "mdph_handicap", "mdph_date", "bsi_level", "bsi_date",
                                 "is_active")),
        ("Notes", ("admin_notes", "clinical_notes")),
    )
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

    def fieldsets(self) -> list[tuple[str, list]]:
        return [(legend, [self[name] for name in names if name in self.fields])
                for legend, names in self.FIELDSETS]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        if not can_see_clinical(user):
            # S-AUTHZ-1: the secrétaire never sees nor posts clinical notes.
            del self.fields["clinical_notes"]
        self.fields["referent_nurse"].queryset = User.objects.filter(
            role__in=NURSES, is_active=True
        )
        self.fields["medecin_traitant"].queryset = Medecin.objects.all()

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
            check_phone(self, name)
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


class MedecinForm(VersionedForm, forms.ModelForm):
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
        check_phone(self, "phone")
        return cleaned


# ------------------------------------------------------------------ ALD


class AldForm(VersionedForm, forms.ModelForm):
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


