"""Remplaçants, titulaires' status, replacement contracts and rétrocession payments
(docs/domain/remplacement.md, "Data each entity needs").

Every editable record carries `row_version` (concurrent saves never overwrite each other,
see `services`). A contract's clauses are frozen once signed (R-REPL-38): the services
refuse it, and on PostgreSQL a trigger refuses it as well (migration 0002).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.records import CreatedAt, RowVersioned, UpdatedAt, VersionedRecord

from . import rules
from .rules import DRAFT, ENDED, SIGNED, TERMINATED, TRANSMITTED

# Plausible range of every date field (GUIDE: a date a form accepts never breaks a page).
MIN_DATE = dt.date(1950, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def date_range_validators():
    return [MinValueValidator(MIN_DATE, "Date antérieure à 1950 : vérifiez la saisie."),
            MaxValueValidator(MAX_DATE, "Date postérieure à 2100 : vérifiez la saisie.")]


def DateField(label, **kw):  # noqa: N802 - a field factory reads like a field
    return models.DateField(label, validators=date_range_validators(), **kw)


PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class OrdreStatus(models.TextChoices):
    INSCRIT = "inscrit", "Inscrit(e)"
    SUSPENDU = "suspendu", "Suspendu(e)"
    RADIE = "radie", "Radié(e)"


class CpsType(models.TextChoices):
    CPS = "cps_remplacant", "CPS remplaçant"
    ECPS = "e_cps", "e-CPS"


class RemplacantProfile(RowVersioned, UpdatedAt):
    """The remplaçant's credentials (R-REPL-14…25, R-ID-*)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="remplacant_profile")
    birth_date = DateField("date de naissance", null=True, blank=True)
    home_address = models.CharField("adresse personnelle", max_length=255, blank=True)
    home_cpam = models.CharField("CPAM du domicile", max_length=120, blank=True)
    adeli = models.CharField("n° ADELI (ancien)", max_length=9, blank=True)
    ordre_number = models.CharField("n° d'inscription à l'Ordre", max_length=30, blank=True)
    ordre_cdoi = models.CharField("conseil départemental de l'Ordre", max_length=120, blank=True)
    ordre_registered_on = DateField("inscrit(e) le", null=True, blank=True)
    ordre_status = models.CharField("situation ordinale", max_length=10,
                                    choices=OrdreStatus.choices, default=OrdreStatus.INSCRIT)
    diploma_date = DateField("diplôme d'État obtenu le", null=True, blank=True)
    diploma_issuer = models.CharField("délivré par", max_length=160, blank=True)
    autorisation_exercice_ref = models.CharField(
        "autorisation d'exercice (à défaut du DE)", max_length=120, blank=True)
    is_installed = models.BooleanField("installé(e) (cabinet et feuilles de soins propres)",
                                       default=False)
    cpam_attestation_cpam = models.CharField("CPAM ayant attesté l'expérience", max_length=120,
                                             blank=True)
    cpam_attestation_on = DateField("attestation d'expérience du", null=True, blank=True)
    cps_type = models.CharField("carte", max_length=20, choices=CpsType.choices, blank=True)
    cps_serial = models.CharField("n° de série de la carte", max_length=40, blank=True)
    cps_valid_to = DateField("carte valable jusqu'au", null=True, blank=True)
    rcp_insurer = models.CharField("assureur RCP", max_length=120, blank=True)
    rcp_policy_number = models.CharField("n° de contrat RCP", max_length=60, blank=True)
    rcp_valid_from = DateField("RCP valable du", null=True, blank=True)
    rcp_valid_to = DateField("RCP valable jusqu'au", null=True, blank=True)
    carpimko_number = models.CharField("n° d'affiliation Carpimko", max_length=40, blank=True)
    carpimko_affiliated_on = DateField("affilié(e) à la Carpimko le", null=True, blank=True)
    urssaf_declared_on = DateField("déclaration URSSAF du", null=True, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    salaried = models.BooleanField("également salarié(e)", default=False)
    employer = models.CharField("employeur", max_length=160, blank=True)
    employer_authorised_on = DateField("autorisation de l'employeur du", null=True, blank=True)
    interdiction_from = DateField("interdiction d'exercer du", null=True, blank=True)
    interdiction_to = DateField("au", null=True, blank=True)
    sas_interdiction_from = DateField("interdiction de soins aux assurés du", null=True, blank=True)
    sas_interdiction_to = DateField("au", null=True, blank=True)
    micro_bnc = models.BooleanField("régime micro-BNC", default=True)

    class Meta:
        verbose_name = "profil de remplaçant"
        verbose_name_plural = "profils de remplaçants"

    def __str__(self) -> str:
        return f"Profil de {self.user}"


class Autorisation(models.Model):
    """R-REPL-16 / R-ID-7: number (free text), issuing council, validity (one year)."""

    class Issuer(models.TextChoices):
        CDOI = "cdoi", "Conseil départemental de l'Ordre"
        PREFET = "prefet", "Préfet (avant le 25/11/2016)"
        ARS = "ars", "ARS (avant le 25/11/2016)"

    profile = models.ForeignKey(RemplacantProfile, on_delete=models.CASCADE,
                                related_name="autorisations")
    number = models.CharField("n° d'autorisation", max_length=60)
    issuer = models.CharField("autorité", max_length=10, choices=Issuer.choices,
                              default=Issuer.CDOI)
    issuing_cdoi = models.CharField("conseil qui l'a délivrée", max_length=120, blank=True)
    issued_on = DateField("délivrée le")
    valid_from = DateField("valable du")
    valid_to = DateField("jusqu'au")

    class Meta:
        ordering = ["-valid_to", "pk"]
        verbose_name = "autorisation de remplacement"
        verbose_name_plural = "autorisations de remplacement"
        constraints = [models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")),
                                              name="autorisation_dates_order")]

    def __str__(self) -> str:
        return f"Autorisation n° {self.number} ({self.valid_from:%d/%m/%Y} – {self.valid_to:%d/%m/%Y})"

    def facts(self) -> rules.Autorisation:
        return rules.Autorisation(self.valid_from, self.valid_to, issuer=self.issuer,
                                  issued_on=self.issued_on)


class ExperiencePeriod(models.Model):
    """R-REPL-19 / R-REPL-19a: effective hours, in which setting."""

    class Setting(models.TextChoices):
        ETABLISSEMENT = "etablissement_de_soins", "Établissement de soins"
        STRUCTURE = "structure_de_soins", "Structure de soins"
        GCS = "gcs", "Groupement de coopération sanitaire"
        OTHER = "other", "Autre cadre"

    profile = models.ForeignKey(RemplacantProfile, on_delete=models.CASCADE,
                                related_name="experience")
    employer = models.CharField("employeur", max_length=160)
    setting = models.CharField("cadre", max_length=30, choices=Setting.choices)
    start = DateField("du")
    end = DateField("au")
    hours = models.DecimalField("heures effectives", max_digits=7, decimal_places=1,
                                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(20000))])

    class Meta:
        ordering = ["-end", "pk"]
        verbose_name = "période d'expérience"
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="experience_dates_order")]

    def __str__(self) -> str:
        return f"{self.employer} ({self.start:%m/%Y} – {self.end:%m/%Y}, {self.hours} h)"

    def facts(self) -> rules.Experience:
        return rules.Experience(self.start, self.end, hours=self.hours, setting=self.setting)


class PracticeForm(models.TextChoices):
    INDIVIDUEL = "individuel", "Exercice individuel"
    ASSOCIATION = "association", "Association / cabinet de groupe"
    SOCIETE = "societe", "Société (SCP, SEL…)"


class TitulaireStatus(RowVersioned, UpdatedAt):
    """What the contract checks need about a titulaire (R-REPL-7, 9, 11, 12)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="titulaire_status")
    conventionne = models.BooleanField("conventionné(e)", default=True)
    conventionne_since = DateField("conventionné(e) depuis", null=True, blank=True)
    deconventionnement_from = DateField("déconventionnement du", null=True, blank=True)
    deconventionnement_to = DateField("au", null=True, blank=True)
    interdiction_from = DateField("interdiction d'exercer du", null=True, blank=True)
    interdiction_to = DateField("au", null=True, blank=True)
    sas_interdiction_from = DateField("interdiction de soins aux assurés du", null=True, blank=True)
    sas_interdiction_to = DateField("au", null=True, blank=True)
    practice_form = models.CharField("forme d'exercice", max_length=12,
                                     choices=PracticeForm.choices, default=PracticeForm.INDIVIDUEL)
    practice_entity = models.CharField("association ou société à informer", max_length=160,
                                       blank=True)
    cdoi = models.CharField("conseil départemental de l'Ordre", max_length=120, blank=True)
    cpam = models.CharField("CPAM du lieu d'exercice", max_length=120, blank=True)

    class Meta:
        verbose_name = "situation du titulaire"
        verbose_name_plural = "situations des titulaires"

    def __str__(self) -> str:
        return f"Situation de {self.user}"


class Unavailability(RowVersioned):
    """R-REPL-3: the titulaire's declared unavailability periods."""

    class Kind(models.TextChoices):
        CONGE = "conge", "Congés"
        MALADIE = "maladie", "Maladie"
        MATERNITE = "maternite", "Maternité / paternité"
        FORMATION = "formation", "Formation"
        MANDAT = "mandat", "Mandat (syndical, ordinal…)"
        AUTRE = "autre", "Autre"

    titulaire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="unavailabilities")
    kind = models.CharField("motif", max_length=12, choices=Kind.choices)
    start = DateField("du")
    end = DateField("au")
    note = models.CharField("précision", max_length=200, blank=True)

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = "indisponibilité"
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="unavailability_dates_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


class ContractStatus(models.TextChoices):
    DRAFT = DRAFT, "Brouillon"
    SIGNED = SIGNED, "Signé"
    TRANSMITTED = TRANSMITTED, "Transmis"
    ENDED = ENDED, "Terminé"
    TERMINATED = TERMINATED, "Résilié"


class Place(models.TextChoices):
    CABINET_TITULAIRE = "cabinet_titulaire", "Cabinet du titulaire et domicile des patients"
    DOMICILE = "domicile", "Domicile des patients uniquement"
    CABINET_REMPLACANT = "cabinet_remplacant", "Cabinet du remplaçant (installé, avec accord)"


class Basis(models.TextChoices):
    BILLED = "billed", "Honoraires facturés"
    COLLECTED = "collected", "Honoraires encaissés"


class BadDebt(models.TextChoices):
    TITULAIRE = "titulaire", "Le titulaire"
    REMPLACANT = "remplacant", "Le remplaçant"
    SHARED = "partage", "Partagés au prorata"


class PaymentMethod(models.TextChoices):
    VIREMENT = "virement", "Virement"
    CHEQUE = "cheque", "Chèque"
    AUTRE = "autre", "Autre"


# The clauses frozen by the signature (R-REPL-38): the trigger of migration 0002 compares
# exactly these columns.
CLAUSE_FIELDS = (
    "titulaire_id", "remplacant_id", "parent_id", "start_at", "end_at", "is_repeated", "motif",
    "unavailability_id", "place", "place_details", "means_premises", "means_software",
    "means_car", "means_materials", "means_details", "cabinet_share_percent",
    "travel_to_remplacant", "travel_share_percent", "monthly_cap", "basis",
    "bad_debt_borne_by", "payment_method", "payment_schedule",
    "cabinet_costs_justification_required", "occasional", "non_compete_clause",
    "non_compete_text", "non_compete_radius_km", "non_compete_months", "notice_days",
    "early_termination_terms", "coordination", "remplacant_installed_at_signature",
    "signed_by_titulaire_at", "signed_by_remplacant_at",
)


class Contract(VersionedRecord):
    """A replacement contract or an avenant (`parent` set), with every clause of R-REPL-34."""

    titulaire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="contracts_as_titulaire", verbose_name="titulaire")
    remplacant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="contracts_as_remplacant", verbose_name="remplaçant(e)")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="avenants", verbose_name="avenant au contrat")
    status = models.CharField("statut", max_length=10, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT)
    start_at = models.DateTimeField("début")
    end_at = models.DateTimeField("fin")
    is_repeated = models.BooleanField("remplacement répété (moins de 24 h)", default=False)
    motif = models.CharField("motif", max_length=200)
    unavailability = models.ForeignKey(Unavailability, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="contracts",
                                       verbose_name="indisponibilité")
    place = models.CharField("lieu d'exercice", max_length=20, choices=Place.choices,
                             default=Place.CABINET_TITULAIRE)
    place_details = models.CharField("adresse du cabinet", max_length=255, blank=True)
    means_premises = models.BooleanField("locaux du cabinet", default=True)
    means_software = models.BooleanField("logiciel et lecteur de cartes", default=True)
    means_car = models.BooleanField("véhicule", default=False)
    means_materials = models.BooleanField("matériel et consommables", default=True)
    means_details = models.TextField("autres moyens mis à disposition", blank=True)
    cabinet_share_percent = models.DecimalField("part du cabinet sur les honoraires (%)",
                                                max_digits=5, decimal_places=2, validators=PERCENT,
                                                default=Decimal(10))
    travel_to_remplacant = models.BooleanField("indemnités de déplacement au remplaçant",
                                               default=True)
    travel_share_percent = models.DecimalField("part du cabinet sur les déplacements (%)",
                                               max_digits=5, decimal_places=2, validators=PERCENT,
                                               null=True, blank=True)
    monthly_cap = models.DecimalField("plafond mensuel de la part du cabinet (€)", max_digits=9,
                                      decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal(0)),
                                                  MaxValueValidator(Decimal(1_000_000))])
    basis = models.CharField("assiette de la rétrocession", max_length=10, choices=Basis.choices,
                             default=Basis.BILLED)
    bad_debt_borne_by = models.CharField("impayés et rejets à la charge de", max_length=12,
                                         choices=BadDebt.choices, default=BadDebt.TITULAIRE)
    payment_method = models.CharField("mode de paiement", max_length=10,
                                      choices=PaymentMethod.choices, default=PaymentMethod.VIREMENT)
    payment_schedule = models.CharField("échéancier", max_length=160,
                                        default="mensuel, au plus tard le 10 du mois suivant")
    cabinet_costs_justification_required = models.BooleanField(
        "part du cabinet justifiée par les charges (pièces comptables)", default=True)
    occasional = models.BooleanField("remplacement occasionnel (TVA, R-FISC-6)", default=True)
    non_compete_clause = models.BooleanField("clause de non-concurrence", default=False)
    non_compete_text = models.TextField("texte de la clause", blank=True)
    non_compete_radius_km = models.PositiveSmallIntegerField("rayon (km)", null=True, blank=True,
                                                             validators=[MaxValueValidator(200)])
    non_compete_months = models.PositiveSmallIntegerField("durée (mois)", null=True, blank=True,
                                                          validators=[MaxValueValidator(60)])
    notice_days = models.PositiveSmallIntegerField("préavis de résiliation (jours)", default=8,
                                                   validators=[MaxValueValidator(365)])
    early_termination_terms = models.TextField(
        "résiliation anticipée",
        default="Chaque partie peut mettre fin au contrat avant son terme par écrit, en "
                "respectant le préavis ; sans préavis en cas de faute grave ou de retour "
                "anticipé du titulaire convenu entre les parties.")
    coordination = models.TextField(
        "coordination avec les médecins et le cabinet", blank=True,
        default="Le remplaçant informe les médecins prescripteurs de tout événement "
                "significatif et transmet au titulaire, à son retour, l'état de chaque patient.")
    remplacant_installed_at_signature = models.BooleanField(null=True, blank=True,
                                                            editable=False)
    signed_by_titulaire_at = models.DateTimeField("signé par le titulaire le", null=True, blank=True)
    signed_by_remplacant_at = models.DateTimeField("signé par le remplaçant le", null=True, blank=True)
    sworn_titulaire = models.BooleanField("déclaration sans contre-lettre (titulaire)", default=False)
    sworn_remplacant = models.BooleanField("déclaration sans contre-lettre (remplaçant)", default=False)
    draft_submitted_on = DateField("projet soumis au CDOI le", null=True, blank=True)
    cdoi_observations = models.TextField("observations du CDOI", blank=True)
    cdoi_observations_on = DateField("observations reçues le", null=True, blank=True)
    sent_to_cdoi_titulaire_on = DateField("transmis au CDOI du titulaire le", null=True, blank=True)
    sent_to_cdoi_remplacant_on = DateField("transmis au CDOI du remplaçant le", null=True, blank=True)
    sent_to_cpam_on = DateField("déposé à la CPAM le", null=True, blank=True)
    ended_on = DateField("terminé le", null=True, blank=True)
    terminated_on = DateField("résilié le", null=True, blank=True)
    termination_reason = models.CharField("motif de la résiliation", max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    class Meta:
        ordering = ["-start_at", "pk"]
        verbose_name = "contrat de remplacement"
        verbose_name_plural = "contrats de remplacement"
        indexes = [models.Index(fields=["remplacant", "status", "start_at"]),
                   models.Index(fields=["titulaire", "status", "start_at"])]
        constraints = [models.CheckConstraint(condition=models.Q(end_at__gt=models.F("start_at")),
                                              name="contract_end_after_start")]

    def __str__(self) -> str:
        kind = "Avenant" if self.parent_id else "Contrat"
        return f"{kind} n° {self.number} — {self.remplacant} remplace {self.titulaire}"

    @property
    def number(self) -> str:
        return f"R{self.pk:05d}" if self.pk else "—"

    @property
    def is_draft(self) -> bool:
        return self.status == ContractStatus.DRAFT

    @property
    def is_live(self) -> bool:
        return rules.counts_for_checks(self.status)

    def facts(self) -> rules.ContractFacts:
        return rules.ContractFacts(
            start=_local(self.start_at), end=_local(self.end_at),
            written=True, repeated=self.is_repeated, motif=self.motif,
            cabinet_share_percent=self.cabinet_share_percent,
            travel_share_percent=self.terms().travel_share,
            place=self.place, non_compete_clause=self.non_compete_clause,
            non_compete_months=self.non_compete_months,
            non_compete_radius_km=self.non_compete_radius_km,
        )

    @property
    def period(self) -> rules.Period:
        return self.facts().period

    def terms(self):
        from .retrocession import Terms

        return Terms(self.cabinet_share_percent, self.travel_to_remplacant,
                     self.travel_share_percent, self.monthly_cap)

    def clause_values(self) -> dict:
        return {
            "motif": self.motif, "place": self.get_place_display(),
            "means": self.means_text(), "basis": self.basis,
            "payment_method": self.payment_method, "payment_schedule": self.payment_schedule,
            "early_termination": self.early_termination_terms,
        }

    def means_text(self) -> str:
        items = [label for flag, label in (
            (self.means_premises, "locaux du cabinet"),
            (self.means_software, "logiciel de soins et lecteur de cartes"),
            (self.means_car, "véhicule"),
            (self.means_materials, "matériel et consommables"),
        ) if flag]
        if self.means_details:
            items.append(self.means_details)
        return ", ".join(items)


def _local(moment: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    if timezone.is_naive(moment):
        return moment
    return timezone.localtime(moment).replace(tzinfo=None)


class RetrocessionPayment(CreatedAt):
    """A payment of the rétrocession recorded by the titulaire (or the secretary)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    month = DateField("mois concerné (1er du mois)")
    paid_on = DateField("payé le")
    amount = models.DecimalField("montant (€)", max_digits=9, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01")),
                                             MaxValueValidator(Decimal(1_000_000))])
    method = models.CharField("mode", max_length=10, choices=PaymentMethod.choices,
                              default=PaymentMethod.VIREMENT)
    reference = models.CharField("référence", max_length=80, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = "paiement de rétrocession"
        indexes = [models.Index(fields=["contract", "month"])]

    def __str__(self) -> str:
        return f"{self.amount} € le {self.paid_on:%d/%m/%Y}"


class MonthlyStatement(CreatedAt):
    """The object a statement PDF is about: one contract, one calendar month. Created when
    a statement is first asked for; the PDF freezes the figures of that moment."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="statements")
    month = DateField("mois (1er du mois)")

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = "relevé de rétrocession"
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="statement_one_per_month")]

    def __str__(self) -> str:
        return f"Relevé {self.month:%m/%Y} — contrat {self.contract.number}"


class PatientNotice(CreatedAt):
    """The object of a patient information letter: this patient is cared for by the
    remplaçant during this contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="notices")
    patient = models.ForeignKey("cabinet.Patient", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = "information d'un patient"
        constraints = [models.UniqueConstraint(fields=["contract", "patient"], name="notice_one_per_patient")]

    def __str__(self) -> str:
        return f"Information de {self.patient} — contrat {self.contract.number}"
