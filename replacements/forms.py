"""Forms of the replacements app: French messages at the field, plausible dates, identifiers
checked with the rules (R-ID-1/2 RPPS, R-ID-6 SIRET, R-REPL-18 issuing authority)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from core.widgets import DateInput, DateTimeInput

from . import rules, selectors
from .models import (
    CLAUSE_FIELDS,
    Autorisation,
    Contract,
    ExperiencePeriod,
    RemplacantProfile,
    RetrocessionPayment,
    TitulaireStatus,
    Unavailability,
)

# Contracts are for the recent past and the coming years, not for 1950.
CONTRACT_MIN = dt.date(2016, 11, 25)
CONTRACT_MAX_YEARS_AHEAD = 3


def _date_widgets(model, names):
    return {n: DateInput() for n in names}


def _date_fields(model):
    return [f.name for f in model._meta.fields if f.get_internal_type() == "DateField"]


def _check_pairs(form, pairs):
    for a, b in pairs:
        start, end = form.cleaned_data.get(a), form.cleaned_data.get(b)
        if start and end and end < start:
            form.add_error(b, "La date de fin précède la date de début.")
        elif end and not start:
            form.add_error(a, "Indiquez aussi la date de début.")


class ProfileForm(forms.ModelForm):
    rpps = forms.CharField(label="n° RPPS", max_length=11, required=False)

    class Meta:
        model = RemplacantProfile
        fields = [f.name for f in RemplacantProfile._meta.fields
                  if f.name not in ("id", "user", "row_version", "updated_at")]
        widgets = _date_widgets(RemplacantProfile, _date_fields(RemplacantProfile))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rpps"].initial = self.instance.user.rpps if self.instance.user_id else ""
        self.rule_warnings: list[str] = []

    def clean_rpps(self):
        value = (self.cleaned_data.get("rpps") or "").strip()
        if value:
            errors, warnings = rules.rpps_findings(value)
            if errors:
                raise forms.ValidationError(errors[0].message)
            self.rule_warnings += [w.message for w in warnings]
        return value

    def clean_siret(self):
        value = (self.cleaned_data.get("siret") or "").replace(" ", "")
        if value:
            errors = rules.siret_findings(value)
            if errors:
                raise forms.ValidationError(errors[0].message)
        return value

    def clean_adeli(self):
        value = (self.cleaned_data.get("adeli") or "").strip()
        errors = rules.adeli_findings(value)
        if errors:
            raise forms.ValidationError(errors[0].message)
        return value

    def clean(self):
        data = super().clean()
        _check_pairs(self, [("interdiction_from", "interdiction_to"),
                            ("sas_interdiction_from", "sas_interdiction_to"),
                            ("rcp_valid_from", "rcp_valid_to")])
        birth, diploma = data.get("birth_date"), data.get("diploma_date")
        if birth and birth > timezone.localdate():
            self.add_error("birth_date", "La date de naissance est dans le futur.")
        if birth and diploma and diploma < birth:
            self.add_error("diploma_date", "Le diplôme précède la date de naissance.")
        if diploma and diploma > timezone.localdate():
            self.add_error("diploma_date", "Le diplôme ne peut pas être daté dans le futur.")
        return data


class AutorisationForm(forms.ModelForm):
    class Meta:
        model = Autorisation
        fields = ["number", "issuer", "issuing_cdoi", "issued_on", "valid_from", "valid_to"]
        widgets = _date_widgets(Autorisation, ["issued_on", "valid_from", "valid_to"])
        help_texts = {"valid_to": "Laissez vide : un an après la délivrance (R-ID-7)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].required = False
        self.fields["valid_to"].required = False

    def clean(self):
        data = super().clean()
        issued = data.get("issued_on")
        if issued:
            data["valid_from"] = data.get("valid_from") or issued
            data["valid_to"] = data.get("valid_to") or rules.autorisation_default_end(issued)
            self.instance.valid_from, self.instance.valid_to = data["valid_from"], data["valid_to"]
            for f in rules.autorisation_issuer_findings(data.get("issuer") or "cdoi", issued):
                self.add_error("issuer", f.message)
            if issued > timezone.localdate():
                self.add_error("issued_on", "La date de délivrance est dans le futur.")
        _check_pairs(self, [("valid_from", "valid_to")])
        return data


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = ExperiencePeriod
        fields = ["employer", "setting", "start", "end", "hours"]
        widgets = _date_widgets(ExperiencePeriod, ["start", "end"])

    def clean(self):
        data = super().clean()
        _check_pairs(self, [("start", "end")])
        start, end, hours = data.get("start"), data.get("end"), data.get("hours")
        if start and end and hours is not None and end >= start:
            # 12 hours a day at most: beyond that the figure is a typing error.
            if hours > ((end - start).days + 1) * 12:
                self.add_error("hours", "Plus de 12 heures par jour sur la période : vérifiez.")
        return data


class TitulaireStatusForm(forms.ModelForm):
    class Meta:
        model = TitulaireStatus
        fields = [f.name for f in TitulaireStatus._meta.fields
                  if f.name not in ("id", "user", "row_version", "updated_at")]
        widgets = _date_widgets(TitulaireStatus, _date_fields(TitulaireStatus))

    def clean(self):
        data = super().clean()
        _check_pairs(self, [("deconventionnement_from", "deconventionnement_to"),
                            ("interdiction_from", "interdiction_to"),
                            ("sas_interdiction_from", "sas_interdiction_to")])
        return data


class UnavailabilityForm(forms.ModelForm):
    class Meta:
        model = Unavailability
        fields = ["kind", "start", "end", "note"]
        widgets = _date_widgets(Unavailability, ["start", "end"])

    def clean(self):
        data = super().clean()
        _check_pairs(self, [("start", "end")])
        start, end = data.get("start"), data.get("end")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("end", "Une indisponibilité de plus de 3 ans : vérifiez les dates.")
        return data


# The form edits the clauses the signature freezes (R-REPL-38), so that a clause added to the
# contract is both typed in and protected; the avenant link and what the signature itself
# records are set by the services. The parties, the absence and the dates come first.
_CONTRACT_LEAD = [
    "titulaire", "remplacant", "unavailability", "motif", "start_at", "end_at", "is_repeated",
]
_CONTRACT_NOT_TYPED = {
    "parent", "remplacant_installed_at_signature", "signed_by_titulaire_at",
    "signed_by_remplacant_at",
}


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = _CONTRACT_LEAD + [
            name for name in (column.removesuffix("_id") for column in CLAUSE_FIELDS)
            if name not in _CONTRACT_LEAD and name not in _CONTRACT_NOT_TYPED
        ]
        widgets = {"start_at": DateTimeInput(), "end_at": DateTimeInput(),
                   "means_details": forms.Textarea(attrs={"rows": 2}),
                   "non_compete_text": forms.Textarea(attrs={"rows": 2}),
                   "early_termination_terms": forms.Textarea(attrs={"rows": 3}),
                   "coordination": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "cabinet_share_percent": "Aucun texte ne fixe le taux (R-REPL-46) ; usage infirmier : "
                                     "5 à 10 % hors déplacements (R-REPL-47, règle incertaine).",
            "travel_share_percent": "Vide : 0 % si les déplacements vont au remplaçant, sinon la "
                                    "part du cabinet (R-RETRO-2). L'Ordre recommande 0 % (R-REPL-36).",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["titulaire"].queryset = selectors.titulaires()
        self.fields["remplacant"].queryset = selectors.remplacants()
        self.fields["unavailability"].queryset = selectors.unavailabilities_visible_to(user).select_related("titulaire")
        self.fields["unavailability"].label_from_instance = lambda u: f"{u.titulaire} — {u}"
        if user is not None and user.role == "titulaire":
            self.fields["titulaire"].queryset = selectors.titulaires().filter(pk=user.pk)
            self.fields["titulaire"].initial = user.pk

    def clean(self):
        data = super().clean()
        start, end = data.get("start_at"), data.get("end_at")
        latest = timezone.localdate().replace(year=timezone.localdate().year + CONTRACT_MAX_YEARS_AHEAD)
        for name, moment in (("start_at", start), ("end_at", end)):
            if moment and not CONTRACT_MIN <= timezone.localtime(moment).date() <= latest:
                self.add_error(name, f"Date invraisemblable : entre le {CONTRACT_MIN:%d/%m/%Y} et le "
                                     f"{latest:%d/%m/%Y}.")
        if start and end and end <= start:
            self.add_error("end_at", "La fin du contrat doit suivre son début (R-REPL-2).")
        if start and end and (end - start).days > 2 * 366:
            self.add_error("end_at", "Un remplacement est temporaire : plus de 2 ans, vérifiez.")
        unav = data.get("unavailability")
        if unav and data.get("titulaire") and unav.titulaire_id != data["titulaire"].pk:
            self.add_error("unavailability", "Cette indisponibilité est celle d'un autre titulaire.")
        if data.get("titulaire") and data.get("remplacant") and data["titulaire"] == data["remplacant"]:
            self.add_error("remplacant", "Le remplaçant doit être une autre personne.")
        return data


class SignForm(forms.Form):
    signed_by_titulaire_at = forms.DateTimeField(label="signé par le titulaire le", widget=DateTimeInput())
    signed_by_remplacant_at = forms.DateTimeField(label="signé par le remplaçant le", widget=DateTimeInput())
    sworn_titulaire = forms.BooleanField(label="déclaration sur l'honneur sans contre-lettre du titulaire",
                                         required=False)
    sworn_remplacant = forms.BooleanField(label="déclaration sur l'honneur sans contre-lettre du remplaçant",
                                          required=False)


class TransmissionForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["draft_submitted_on", "cdoi_observations", "cdoi_observations_on",
                  "sent_to_cdoi_titulaire_on", "sent_to_cdoi_remplacant_on", "sent_to_cpam_on"]
        widgets = {**_date_widgets(Contract, ["draft_submitted_on", "cdoi_observations_on",
                                              "sent_to_cdoi_titulaire_on", "sent_to_cdoi_remplacant_on",
                                              "sent_to_cpam_on"]),
                   "cdoi_observations": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("draft_submitted_on", "cdoi_observations_on", "sent_to_cdoi_titulaire_on",
                     "sent_to_cdoi_remplacant_on", "sent_to_cpam_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, "Cette date est dans le futur.")
        return data


class CloseForm(forms.Form):
    terminate = forms.TypedChoiceField(label="fin", choices=[("0", "Terminé à son terme"),
                                                             ("1", "Résilié avant son terme")],
                                       coerce=lambda v: v == "1")
    on = forms.DateField(label="le", widget=DateInput())
    reason = forms.CharField(label="motif (résiliation)", max_length=255, required=False)


class PaymentForm(forms.ModelForm):
    month = forms.DateField(label="mois concerné", widget=forms.DateInput(attrs={"type": "month"},
                                                                          format="%Y-%m"),
                            input_formats=["%Y-%m", "%Y-%m-%d"])

    class Meta:
        model = RetrocessionPayment
        fields = ["month", "paid_on", "amount", "method", "reference"]
        widgets = {"paid_on": DateInput()}

    def clean(self):
        data = super().clean()
        if data.get("month"):
            data["month"] = data["month"].replace(day=1)
        if data.get("paid_on") and data["paid_on"] > timezone.localdate():
            self.add_error("paid_on", "Un paiement ne peut pas être daté dans le futur.")
        return data
