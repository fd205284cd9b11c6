"""Forms of the cooperation app. French messages, attached to their field; the
cross-model rules live in `cooperation.services`."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from cabinet.models import Medecin
from core.access import NURSES
from core.form_fields import validate_plausible_date
from core.models import Role, User
from core.versioning import VersionedForm
from core.widgets import DateInput, DateTimeInput, TimeInput

from . import catalogue
from .models import (
    ActContext,
    Adhesion,
    InformationChannel,
    InformationMethod,
    LivingPlace,
    PatientAssessment,
    ThirdPartyConvention,
)
from .services import limits_field

YES_NO_UNKNOWN = [("", "Inconnu"), ("true", "Oui"), ("false", "Non")]


class TriStateField(forms.TypedChoiceField):
    """Oui / Non / Inconnu: « Inconnu » is stored as NULL (an unknown fact)."""

    def __init__(self, **kwargs):
        for name in ("max_length", "required", "choices", "coerce", "empty_value"):
            kwargs.pop(name, None)
        super().__init__(
            choices=YES_NO_UNKNOWN, coerce=lambda v: v == "true", empty_value=None,
            required=False, **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "true"
        if value is False:
            return "false"
        return value


def _name_the_empty_choice(form, label: str = "— choisir —") -> None:
    """Django's blank choice reads « --------- »: say what it means."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField):
            field.choices = [(value, label if text == "---------" else text)
                             for value, text in field.choices]


class AssessmentForm(VersionedForm, forms.ModelForm):
    iadl_travel_level = forms.TypedChoiceField(
        label="IADL « déplacements » (R-PAPH-18)", required=False, coerce=int, empty_value=None,
        help_text="Le niveau donne le score par la table de correspondance des données "
                  "(niveau 4 ou 5 : score 0, donc < 1, critère B de R-PAPH-4). Règle incertaine "
                  "(R-PAPH-18) : une seule grille lue, le sens de « modifié » est inconnu.",
    )

    class Meta:
        model = PatientAssessment
        fields = [
            "needs_medical_follow_up", "cannot_travel_to_practice", "cannot_travel_reason",
            "doctor_home_visits_last_year", "iadl_travel_level", "living_place",
            "mdph_handicap", "psychiatric_unstabilised", "refusal", "home_follow_up_impossible",
            "home_follow_up_impossible_reason", "has_bsi", "polyhandicap", "diabetes_type2",
            "cardiovascular_risk", "smoker", "copd_risk", "cognitive_complaint", "assessed_on",
        ]
        widgets = {"assessed_on": DateInput()}
        field_classes = {
            name: TriStateField for name in (
                "needs_medical_follow_up", "cannot_travel_to_practice", "mdph_handicap",
                "psychiatric_unstabilised", "refusal", "home_follow_up_impossible", "has_bsi",
                "polyhandicap", "diabetes_type2", "cardiovascular_risk", "smoker", "copd_risk",
                "cognitive_complaint",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iadl_travel_level"].choices = [("", "Inconnu")] + [
            (str(x.level), f"{x.level}. {x.label} (score {x.score})")
            for x in catalogue.iadl_levels()
        ]
        self.fields["doctor_home_visits_last_year"].help_text = "Laisser vide si inconnu."
        _name_the_empty_choice(self, "Inconnu")

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("La date d'évaluation ne peut pas être future.")
        return value


class AdhesionForm(VersionedForm, forms.ModelForm):
    protocol = forms.ChoiceField(label="Protocole")

    class Meta:
        model = Adhesion
        fields = [
            "protocol", "doctor", "nurse", "structure_kind", "structure_name", "declared_at",
            "declaration_ref", "engagement_signed_at", "sworn_statement_at", "training_title",
            "training_hours", "training_completed_at", "doctor_engagement_signed_at",
            "doctor_sworn_statement_at", "doctor_training_title", "doctor_training_hours",
            "doctor_training_completed_at", "status", "left_at", "change_reported_to_ars_at",
            "notes",
        ]
        widgets = {
            name: DateInput() for name in (
                "declared_at", "engagement_signed_at", "sworn_statement_at",
                "training_completed_at", "doctor_engagement_signed_at",
                "doctor_sworn_statement_at", "doctor_training_completed_at", "left_at",
                "change_reported_to_ars_at",
            )
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = [(p.id, p.short_title) for p in catalogue.protocols()]
        self.fields["doctor"].queryset = Medecin.objects.order_by("last_name", "first_name")
        _name_the_empty_choice(self)
        nurses = User.objects.filter(role__in=NURSES, is_active=True)
        if user is not None and user.role == Role.TITULAIRE:
            nurses = nurses.filter(pk=user.pk)
            self.fields["nurse"].initial = user.pk
        self.fields["nurse"].queryset = nurses.order_by("last_name", "first_name")


class ConsentForm(forms.Form):
    """R-COOP-3: information of the patient, consent or refusal, and, with consent, the
    acts delegated for this patient (R-PAPH-21)."""

    informed_at = forms.DateField(label="Patient informé le", widget=DateInput())
    information_method = forms.ChoiceField(
        label="Manière d'informer", choices=InformationMethod.choices
    )
    consent = forms.TypedChoiceField(
        label="Réponse du patient", widget=forms.RadioSelect,
        choices=[("true", "Le patient consent à sa prise en charge dans le protocole"),
                 ("false", "Le patient refuse")],
        coerce=lambda v: v == "true",
    )
    legal_representative = forms.CharField(
        label="Représentant légal (le cas échéant)", required=False, max_length=160
    )
    joint_visit_at = forms.DateField(
        label="Visite conjointe médecin–infirmier(ère) le (R-PAPH-6)", required=False,
        widget=DateInput(),
    )
    living_place = forms.ChoiceField(label="Lieu de suivi", choices=LivingPlace.choices)
    enabled_acts = forms.MultipleChoiceField(
        label="Actes délégués pour ce patient (plan personnalisé de soins)",
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    asalee_file_number = forms.CharField(label="N° de dossier Asalée", required=False,
                                         max_length=40)

    def __init__(self, *args, protocol: catalogue.Protocol, **kwargs):
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        self.fields["enabled_acts"].choices = [(a.code, a.label) for a in protocol.acts]
        # An act that needs the délégant's written limits is left for the nurse to tick
        # together with those limits (R-PAPH-24).
        self.fields["enabled_acts"].initial = [
            a.code for a in protocol.acts if not a.allowed_items_from
        ]
        self.fields["informed_at"].initial = timezone.localdate()
        if protocol.id != "asalee":
            del self.fields["asalee_file_number"]
        for act in self._limited_acts():
            self.fields[limits_field(act.code)] = forms.CharField(
                label=f"{act.label} : ce que le médecin autorise dans le plan de soins",
                help_text="Une ligne par prescription : molécule, dose, durée maximale. "
                          "Liste et limites de l'annexe du protocole non lues : seules ces "
                          "lignes pourront être prescrites (R-PAPH-24, règle incertaine).",
                required=False, widget=forms.Textarea(attrs={"rows": 3}),
            )
        names = list(self.fields)
        limits = [n for n in names if n.startswith("limits__")]
        rest = [n for n in names if n not in limits]
        at = rest.index("enabled_acts") + 1
        self.order_fields(rest[:at] + limits + rest[at:])

    def _limited_acts(self) -> list[catalogue.Act]:
        return [a for a in self.protocol.acts if a.allowed_items_from == "care_plan"]

    def clean(self):
        cleaned = super().clean()
        cleaned["act_limits"] = {
            act.code: (cleaned.get(limits_field(act.code)) or "").splitlines()
            for act in self._limited_acts()
        }
        return cleaned


class DelegatedActForm(forms.Form):
    act_code = forms.ChoiceField(label="Acte délégué")
    context = forms.ChoiceField(label="Contexte", choices=ActContext.choices)
    performed_on = forms.DateField(label="Date", widget=DateInput())
    location = forms.ChoiceField(label="Lieu", choices=LivingPlace.choices)
    visit = forms.TypedChoiceField(label="Visite de suivi de la tournée", required=False,
                                   coerce=int, empty_value=None)
    findings = forms.CharField(label="Constatations et mesures", widget=forms.Textarea)
    decision = forms.ChoiceField(label="Décision")
    care_plan_item = forms.ChoiceField(
        label="Prescription autorisée par le médecin (plan de soins)", required=False,
        help_text="Pour un acte limité au plan de soins (R-PAPH-24, règle incertaine).",
    )
    decision_detail = forms.CharField(
        label="Précisions (molécule, dose, durée…)", required=False, widget=forms.Textarea
    )
    reprise_by_delegant = forms.BooleanField(label="Médecin rappelé (reprise)", required=False)
    reprise_reason = forms.CharField(label="Motif de la reprise", required=False, max_length=200)
    adverse_event = forms.BooleanField(label="Événement indésirable", required=False)
    adverse_event_description = forms.CharField(
        label="Description de l'événement indésirable", required=False, widget=forms.Textarea
    )

    def __init__(self, *args, inclusion, **kwargs):
        super().__init__(*args, **kwargs)
        acts = inclusion.enabled_act_defs()
        self.fields["act_code"].choices = [(a.code, a.label) for a in acts]
        decisions: list[tuple[str, str]] = []
        for act in acts:
            decisions += [(d, d) for d in act.decisions if (d, d) not in decisions]
        self.fields["decision"].choices = decisions
        self.fields["performed_on"].initial = timezone.localdate()
        self.fields["location"].initial = inclusion.living_place
        items = [(item, f"{act.label} : {item}") for act, limits
                 in inclusion.enabled_acts_with_limits() for item in limits]
        if items:
            self.fields["care_plan_item"].choices = [("", "—")] + items
        else:
            del self.fields["care_plan_item"]
        visits = [fv.visit for fv in inclusion.follow_up_visits.select_related("visit")]
        self.fields["visit"].choices = [("", "—")] + [
            (v.pk, f"{v.date:%d/%m/%Y} ({v.get_status_display()})") for v in visits
        ]


class DoctorInformationForm(forms.Form):
    channel = forms.ChoiceField(label="Transmise par", choices=InformationChannel.choices)
    informed_at = forms.DateTimeField(label="Transmise le", widget=DateTimeInput())
    information = forms.CharField(label="Information transmise au médecin", widget=forms.Textarea)

    def __init__(self, *args, act=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["informed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if act is not None:
            self.fields["information"].initial = (
                f"{act.act_label} le {act.performed_on:%d/%m/%Y} : {act.decision}."
                + (f" {act.decision_detail}" if act.decision_detail else "")
                + (f" Reprise demandée : {act.reprise_reason}." if act.reprise_by_delegant else "")
            )


class FollowUpForm(forms.Form):
    first_date = forms.DateField(label="Première visite le", widget=DateInput(),
                                 validators=[validate_plausible_date])
    count = forms.IntegerField(label="Nombre de visites mensuelles", min_value=1, max_value=12,
                               initial=12)
    window_start = forms.TimeField(label="Pas avant", widget=TimeInput(), initial="09:00")
    window_end = forms.TimeField(label="Pas après", widget=TimeInput(), initial="12:00")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_date"].initial = timezone.localdate()


class ExitForm(forms.Form):
    exited_on = forms.DateField(label="Sortie le", widget=DateInput())
    reason = forms.CharField(label="Motif de sortie", max_length=200)


class ConventionForm(VersionedForm, forms.ModelForm):
    activities = forms.MultipleChoiceField(
        label="Activités confiées au tiers", widget=forms.CheckboxSelectMultiple,
        help_text="Seules les activités non médicales peuvent être confiées à un tiers (R-TLS-6).",
    )

    class Meta:
        model = ThirdPartyConvention
        fields = [
            "operator_name", "operator_ars_ref", "operator_recepisse_at", "indication",
            "third_party_name", "third_party_siret", "third_party_professionals", "activities",
            "convention_signed_at", "remote_only", "patient_information", "patients_informed_at",
            "named_in_ars_declaration", "ars_transmission_at",
        ]
        widgets = {
            name: DateInput() for name in (
                "operator_recepisse_at", "convention_signed_at", "patients_informed_at",
                "ars_transmission_at",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].choices = [
            (a.code, a.label + (" (médicale)" if a.nature == "medical" else ""))
            for a in catalogue.delegation().activities
        ]

    def clean_third_party_siret(self):
        value = self.cleaned_data["third_party_siret"].replace(" ", "")
        if value and (len(value) != 14 or not value.isdigit()):
            raise forms.ValidationError("Le SIRET compte 14 chiffres.")
        return value
