"""Forms of the billing app: the catalogue search and the passage to quote.
Every message is French and attached to its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from core.widgets import DateInput, TimeInput

from .ngap import catalogue
from .ngap.model import ActFacts, Passage, PatientFacts
from .ngap.tariffs import load as load_tariffs

PLACE_CHOICES = [("domicile", "Domicile du patient"), ("cabinet", "Cabinet"),
                 ("ehpad", "EHPAD (résidence du patient)")]
STRUCTURE_CHOICES = [("", "Non"), ("had", "Hospitalisation à domicile (HAD)"),
                     ("ssiad", "Service de soins infirmiers à domicile (SSIAD)")]
ZONE_CHOICES = [("plaine", "Plaine"), ("montagne", "Montagne"), ("pied_ski", "À pied / à ski")]
BSI_CHOICES = [("", "Aucun"), ("BSA", "BSA (dépendance légère)"),
               ("BSB", "BSB (dépendance intermédiaire)"), ("BSC", "BSC (dépendance lourde)")]
COVERAGE_CHOICES = [
    ("standard", "Régime général (60 %)"),
    ("ald", "ALD (100 % pour les soins en rapport)"),
    ("maternite", "Maternité (100 %)"),
    ("at_mp", "Accident du travail / maladie professionnelle (100 %)"),
    ("c2s", "Complémentaire santé solidaire (C2S)"),
]
KEY_CHOICES = [("", "—")] + [(k, k) for k in catalogue.KEYS]
NATURE_CHOICES = [
    ("", "—"),
    ("pansement_lourd_complexe", "Pansement lourd et complexe"),
    ("prelevement_veineux", "Prélèvement par ponction veineuse directe"),
    ("injection", "Injection"),
    ("vaccination", "Vaccination"),
    ("pansement", "Autre pansement"),
]
GROUP_CHOICES = [("", "—"), ("5bis", "Patient insulino-traité (art. 5bis)"),
                 ("perfusion", "Forfait de perfusion")]


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher un acte",
        required=False,
        max_length=100,
        help_text="Code (XVI-1-3), lettre-clé et coefficient (AMI 4, 4,5) ou mots de l'intitulé "
                  "(pansement lourd, insuline). Flèche bas pour parcourir les résultats.",
        widget=forms.TextInput(attrs={
            "type": "search", "autocomplete": "off", "autofocus": True, "spellcheck": "false",
            "placeholder": "ex. AMI 4, 4,5, escarre, XVI-2-3",
        }),
    )


def catalogue_options() -> list[tuple[str, str]]:
    """The shared list of the quote page's act fields: (id, label)."""
    return [(act_id, label) for _title, options in _catalogue_choices()[1:]
            for act_id, label in options]


def _catalogue_choices():
    groups: dict[str, list] = {}
    for act in catalogue.load().values():
        heading = catalogue.ARTICLE_HEADINGS.get((act.chapter, act.article), "autres actes")
        article = f"art. {act.article}" if act.article else "sans article"
        title = f"Chapitre {act.chapter}, {article} — {heading}"
        label = f"{act.cotation} — {act.designation}"
        if len(label) > 110:
            label = label[:107] + "…"
        groups.setdefault(title, []).append((act.id, label))
    return [("", "— choisir dans la nomenclature —")] + list(groups.items())


class PassageForm(forms.Form):
    """The facts of one passage (ngap.md §9)."""

    date = forms.DateField(label="Date des soins", widget=DateInput)
    time = forms.TimeField(label="Heure du passage", widget=TimeInput)
    place = forms.ChoiceField(label="Lieu", choices=PLACE_CHOICES, initial="domicile")
    zone = forms.ChoiceField(label="Zone IK du cabinet", choices=ZONE_CHOICES, initial="plaine")
    distance_km = forms.DecimalField(
        label="Distance aller cabinet → patient (km)", min_value=Decimal(0),
        max_value=Decimal(2000), max_digits=6, decimal_places=2, initial=Decimal(0),
        error_messages={"min_value": "La distance ne peut pas être négative."},
    )
    same_agglomeration = forms.BooleanField(
        label="Patient dans la même agglomération que le cabinet", required=False)
    birth_date = forms.DateField(label="Date de naissance du patient", widget=DateInput)
    bsi_level = forms.ChoiceField(label="Niveau BSI du patient", choices=BSI_CHOICES,
                                  required=False)
    ald = forms.BooleanField(label="Patient en ALD", required=False)
    coverage = forms.ChoiceField(label="Couverture", choices=COVERAGE_CHOICES, initial="standard")
    care_related_to_ald = forms.BooleanField(
        label="Soins en rapport avec l'ALD (partie haute de l'ordonnance bizone)", required=False)
    urgent_night_prescribed = forms.BooleanField(
        label="Exécution de nuit prescrite (ou urgence de nuit)", required=False)
    sunday_holiday_prescribed = forms.BooleanField(
        label="Soins « rigoureusement quotidiens » prescrits (dimanche et jours fériés)",
        required=False)
    urgent_call = forms.BooleanField(label="Appel d'urgence", required=False)
    palliative = forms.BooleanField(label="Patient en soins palliatifs", required=False)
    shared_travel_with_previous_patient = forms.BooleanField(
        label="Même déplacement que le patient précédent (même domicile ou établissement)",
        required=False)
    ik_km_already_billed_today = forms.DecimalField(
        label="Kilomètres d'IK déjà facturés aujourd'hui par l'infirmier(ère)",
        min_value=Decimal(0), max_value=Decimal(5000), max_digits=7, decimal_places=2,
        initial=Decimal(0), required=False,
        error_messages={"min_value": "Le kilométrage ne peut pas être négatif."},
    )
    bsi_forfait_already_billed_today = forms.BooleanField(
        label="Forfait BSI déjà facturé aujourd'hui pour ce patient", required=False)
    structure = forms.ChoiceField(
        label="Patient pris en charge par une structure (soins payés par elle)",
        choices=STRUCTURE_CHOICES, required=False)
    not_prescribed_at_home = forms.BooleanField(
        label="L'ordonnance ne dit pas « à domicile » (déplacement à la charge du patient)",
        required=False)

    def clean(self):
        data = super().clean()
        care_day, birth = data.get("date"), data.get("birth_date")
        if care_day:
            first = load_tariffs().first_date_of("metropole")
            if care_day < first:
                self.add_error("date", f"Aucun tarif n'est connu avant le {first:%d/%m/%Y}.")
            elif care_day > date(2100, 1, 1):
                self.add_error("date", "Date des soins invraisemblable.")
        if care_day and birth and birth > care_day:
            self.add_error("birth_date", "La date de naissance est postérieure à la date des soins.")
        return data


class ActForm(forms.Form):
    # A text field tied to one shared list of the nomenclature (`quote-acts`,
    # rendered once by the page): a drop-down of every act per row would
    # repeat the catalogue in each row of the formset.
    act = forms.ChoiceField(
        label="Acte de la nomenclature", required=False, choices=(),
        widget=forms.TextInput(attrs={"list": "quote-acts", "autocomplete": "off",
                                      "spellcheck": "false",
                                      "placeholder": "code ou libellé"}),
        error_messages={"invalid_choice": "Acte inconnu de la nomenclature : "
                                          "choisissez-le dans la liste."},
    )
    key = forms.ChoiceField(label="ou lettre-clé", choices=KEY_CHOICES, required=False)
    coefficient = forms.DecimalField(
        label="coefficient", required=False, min_value=Decimal("0.01"), max_value=Decimal(100),
        max_digits=6, decimal_places=2,
        error_messages={"min_value": "Le coefficient doit être positif."},
    )
    nature = forms.ChoiceField(label="nature", choices=NATURE_CHOICES, required=False)
    group = forms.ChoiceField(label="groupe", choices=GROUP_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act"].choices = _catalogue_choices()

    def clean(self):
        data = super().clean()
        act_id, key, coef = data.get("act"), data.get("key"), data.get("coefficient")
        if act_id:
            entry = catalogue.get(act_id)
            if key and entry and key != entry.key and not (key == "AMX" and entry.key == "AMI"):
                self.add_error("key", f"Cet acte se cote en {entry.key}.")
            return data
        if coef is not None and not key:
            self.add_error("key", "Choisissez la lettre-clé de ce coefficient.")
        elif key and key not in catalogue.EURO_FORFAITS and coef is None:
            self.add_error("coefficient", f"Indiquez le coefficient de l'acte {key}.")
        elif key in catalogue.EURO_FORFAITS and coef not in (None, Decimal(1)):
            self.add_error("coefficient", f"{key} est un forfait : laissez le coefficient vide.")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not data.get("act") and not data.get("key")

    def to_facts(self) -> ActFacts:
        data = self.cleaned_data
        entry = catalogue.get(data["act"]) if data.get("act") else None
        key = data.get("key") or (entry.key if entry else None)
        coef = data.get("coefficient")
        if key in catalogue.EURO_FORFAITS:
            coef = None
        tags = frozenset({data["nature"]}) if data.get("nature") else frozenset()
        return ActFacts(
            key=key,
            coefficient=coef,
            label=entry.designation if entry else "",
            id=entry.id if entry else None,
            tags=tags,
            group=data.get("group") or None,
        )


class BaseActFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if all(form.is_blank for form in self.forms):
            raise ValidationError("Saisissez au moins un acte.")


# absolute_max: a forged TOTAL_FORMS would otherwise make Django build and
# render a thousand forms (max_num + 1000) before refusing them.
ActFormSet = forms.formset_factory(ActForm, formset=BaseActFormSet, extra=5, max_num=10,
                                   absolute_max=10, validate_max=True)


def build_passage(data: dict, acts: list[ActFacts], *, territory: str = "metropole",
                  alsace_moselle: bool = False) -> Passage:
    return Passage(
        date=data["date"],
        time=data["time"].replace(second=0, microsecond=0),
        place=data["place"],
        zone=data["zone"],
        distance_km=data.get("distance_km") or Decimal(0),
        same_agglomeration=data.get("same_agglomeration", False),
        patient=PatientFacts(
            birth_date=data["birth_date"],
            bsi_level=data.get("bsi_level") or None,
            ald=data.get("ald", False),
        ),
        acts=tuple(acts),
        urgent_night_prescribed=data.get("urgent_night_prescribed", False),
        sunday_holiday_prescribed=data.get("sunday_holiday_prescribed", False),
        urgent_call=data.get("urgent_call", False),
        palliative=data.get("palliative", False),
        coverage=data.get("coverage") or "standard",
        care_related_to_ald=data.get("care_related_to_ald", False),
        shared_travel_with_previous_patient=data.get("shared_travel_with_previous_patient", False),
        ik_km_already_billed_today=data.get("ik_km_already_billed_today") or Decimal(0),
        bsi_forfait_already_billed_today=data.get("bsi_forfait_already_billed_today", False),
        home_care_prescribed=not data.get("not_prescribed_at_home", False),
        structure=data.get("structure") or None,
        territory=territory,
        alsace_moselle=alsace_moselle,
    )
