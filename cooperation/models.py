"""Adhesions, patient assessments and inclusions, delegated acts, third-party conventions.

The protocols themselves are data (`cooperation/protocols/*.toml`, loaded by
`cooperation.catalogue`); rows refer to them by their id. Writes that cross models go
through `cooperation.services` (audit row in the same transaction).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.records import AuthoredRecord, CreatedAt, RowVersioned, UpdatedAt, VersionedRecord

from . import catalogue


class AdhesionStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspendue"
    ENDED = "ended", "Terminée"


class StructureKind(models.TextChoices):
    MSP = "msp", "Maison de santé pluriprofessionnelle (MSP)"
    CENTRE_SANTE = "centre_sante", "Centre de santé"
    ESP = "esp", "Équipe de soins primaires (ESP)"
    CPTS = "cpts", "CPTS"
    SSIAD = "ssiad", "SSIAD"
    ASALEE = "asalee", "Cabinet adhérent Asalée"
    OTHER = "other", "Autre"


COORDINATED_STRUCTURES = frozenset(
    {StructureKind.MSP, StructureKind.CENTRE_SANTE, StructureKind.ESP, StructureKind.CPTS,
     StructureKind.SSIAD}
)


class ProtocolRef:
    """For models keeping a protocol id: the protocol itself comes from the
    data files, not the database (a new arrêté is a data change)."""

    protocol: str

    @property
    def protocol_def(self) -> catalogue.Protocol | None:
        return catalogue.get(self.protocol)

    @property
    def protocol_title(self) -> str:
        p = self.protocol_def
        return p.short_title if p else self.protocol


class Adhesion(ProtocolRef, VersionedRecord):
    """A délégant–délégué team implementing one protocol (R-COOP-7, R-COOP-8, R-COOP-9).

    Active only with a declaration date, the sworn statement of competencies and a
    completed training (hours and date, R-COOP-2, R-PAPH-31); `services.save_adhesion`
    enforces it."""

    protocol = models.CharField("protocole", max_length=40)
    doctor = models.ForeignKey(
        "cabinet.Medecin", verbose_name="médecin délégant", on_delete=models.PROTECT,
        related_name="cooperation_adhesions",
    )
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="infirmier(ère) délégué(e)",
        on_delete=models.PROTECT, related_name="cooperation_adhesions",
    )
    structure_kind = models.CharField(
        "type de structure", max_length=20, choices=StructureKind.choices
    )
    structure_name = models.CharField("structure (MSP, CPTS…)", max_length=200)
    declared_at = models.DateField("date de déclaration", null=True, blank=True,
                                   help_text="Date de mise en œuvre effective (R-COOP-7).")
    declaration_ref = models.CharField("référence de la déclaration", max_length=100, blank=True)
    # The délégué's (nurse's) filing, then the délégant's (doctor's): R-COOP-8 asks it of
    # each team member, and the protocol says whose training is required (R-COOP-2).
    engagement_signed_at = models.DateField(
        "infirmier(ère) : accord d'engagement signé le", null=True, blank=True
    )
    sworn_statement_at = models.DateField(
        "infirmier(ère) : déclaration sur l'honneur des compétences le", null=True, blank=True
    )
    training_title = models.CharField("infirmier(ère) : formation suivie", max_length=200,
                                      blank=True)
    training_hours = models.DecimalField(
        "infirmier(ère) : heures de formation", max_digits=5, decimal_places=1, null=True,
        blank=True,
    )
    training_completed_at = models.DateField("infirmier(ère) : formation terminée le", null=True,
                                             blank=True)
    doctor_engagement_signed_at = models.DateField(
        "médecin : accord d'engagement signé le", null=True, blank=True
    )
    doctor_sworn_statement_at = models.DateField(
        "médecin : déclaration sur l'honneur des compétences le", null=True, blank=True
    )
    doctor_training_title = models.CharField("médecin : formation suivie", max_length=200,
                                             blank=True)
    doctor_training_hours = models.DecimalField(
        "médecin : heures de formation", max_digits=5, decimal_places=1, null=True, blank=True
    )
    doctor_training_completed_at = models.DateField("médecin : formation terminée le",
                                                    null=True, blank=True)
    status = models.CharField(
        "statut", max_length=12, choices=AdhesionStatus.choices, default=AdhesionStatus.DRAFT
    )
    left_at = models.DateField("fin de participation le", null=True, blank=True)
    change_reported_to_ars_at = models.DateField(
        "changement signalé à l'ARS le", null=True, blank=True
    )
    notes = models.TextField("remarques administratives", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["protocol", "doctor__last_name", "nurse__last_name", "pk"]
        verbose_name = "adhésion à un protocole"
        verbose_name_plural = "adhésions aux protocoles"
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "doctor", "nurse"],
                condition=~models.Q(status="ended"),
                name="coop_adhesion_one_open_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.protocol_title} — {self.doctor} / {self.nurse}"

    # Field prefix of each member's filing, by the protocol's role names.
    MEMBER_PREFIX = {"delegue": "", "delegant": "doctor_"}
    MEMBER_LABEL = {"delegue": "de l'infirmier(ère)", "delegant": "du médecin"}

    def is_active_on(self, day: dt.date) -> bool:
        return (
            self.status == AdhesionStatus.ACTIVE
            and self.declared_at is not None
            and self.declared_at <= day
            and (self.left_at is None or day <= self.left_at)
        )


class LivingPlace(models.TextChoices):
    HOME = "home", "Domicile"
    EHPAD = "ehpad", "EHPAD"


class PatientAssessment(RowVersioned, UpdatedAt):
    """Facts the patient file lacks, as assessed by a nurse (R-PAPH-3 … R-PAPH-5,
    R-PAPH-15 … R-PAPH-19, R-ASA-3 … R-ASA-6). Every field may stay empty: an empty
    field is an unknown fact, never read as « non »."""

    patient = models.OneToOneField(
        "cabinet.Patient", on_delete=models.CASCADE, related_name="cooperation_assessment"
    )
    mdph_handicap = models.BooleanField("handicap reconnu par la MDPH", null=True, blank=True)
    psychiatric_unstabilised = models.BooleanField(
        "pathologie psychiatrique non stabilisée", null=True, blank=True
    )
    needs_medical_follow_up = models.BooleanField(
        "état de santé nécessitant un suivi médical", null=True, blank=True
    )
    cannot_travel_to_practice = models.BooleanField(
        "ne peut pas se déplacer au cabinet médical", null=True, blank=True
    )
    cannot_travel_reason = models.CharField("motif", max_length=200, blank=True)
    doctor_home_visits_last_year = models.PositiveSmallIntegerField(
        "visites à domicile du médecin l'année précédente", null=True, blank=True
    )
    iadl_travel_level = models.PositiveSmallIntegerField(
        "IADL « déplacements » : niveau", null=True, blank=True
    )
    living_place = models.CharField(
        "lieu de vie", max_length=10, choices=LivingPlace.choices, blank=True
    )
    refusal = models.BooleanField("refus du patient ou de son représentant", null=True, blank=True)
    home_follow_up_impossible = models.BooleanField(
        "suivi à domicile impossible", null=True, blank=True
    )
    home_follow_up_impossible_reason = models.CharField("motif", max_length=200, blank=True)
    has_bsi = models.BooleanField("bénéficie déjà d'un BSI", null=True, blank=True)
    polyhandicap = models.BooleanField("polyhandicap", null=True, blank=True)
    diabetes_type2 = models.BooleanField("diabète de type 2", null=True, blank=True)
    cardiovascular_risk = models.BooleanField("risque cardiovasculaire", null=True, blank=True)
    smoker = models.BooleanField("fumeur", null=True, blank=True)
    copd_risk = models.BooleanField("à risque de BPCO", null=True, blank=True)
    cognitive_complaint = models.BooleanField(
        "plainte ou suspicion de troubles cognitifs", null=True, blank=True
    )
    assessed_on = models.DateField("évalué le", default=dt.date.today)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "évaluation coopération"
        verbose_name_plural = "évaluations coopération"

    def __str__(self) -> str:
        return f"Évaluation de {self.patient}"


class InclusionStatus(models.TextChoices):
    INCLUDED = "included", "Inclus(e)"
    REFUSED = "refused", "Refus du patient"
    EXITED = "exited", "Sorti(e) du protocole"


class InformationMethod(models.TextChoices):
    ORAL = "oral", "Oral"
    WRITTEN = "written", "Écrit (lettre d'information remise)"
    BOTH = "both", "Oral et écrit"


class PatientInclusion(ProtocolRef, CreatedAt):
    """A patient in a protocol, under one adhesion (team). Information and consent are
    recorded with date, way and author (R-COOP-3, R-TLS-5); a refusal is kept too."""

    patient = models.ForeignKey(
        "cabinet.Patient", on_delete=models.PROTECT, related_name="cooperation_inclusions"
    )
    protocol = models.CharField("protocole", max_length=40)
    adhesion = models.ForeignKey(
        Adhesion, verbose_name="équipe (adhésion)", on_delete=models.PROTECT,
        related_name="inclusions",
    )
    status = models.CharField("statut", max_length=10, choices=InclusionStatus.choices)
    informed_at = models.DateField("patient informé le")
    information_method = models.CharField(
        "manière d'informer", max_length=10, choices=InformationMethod.choices
    )
    consent = models.BooleanField("consentement")
    legal_representative = models.CharField(
        "représentant légal (le cas échéant)", max_length=160, blank=True
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="consentement recueilli par",
    )
    consent_recorded_at = models.DateTimeField("enregistré le", default=timezone.now)
    joint_visit_at = models.DateField("visite conjointe le", null=True, blank=True)
    living_place = models.CharField(
        "lieu de suivi", max_length=10, choices=LivingPlace.choices, default=LivingPlace.HOME
    )
    enabled_acts = models.JSONField("actes délégués pour ce patient", default=list, blank=True)
    # R-PAPH-24 (UNCERTAIN): until the annex is read, an act whose allowed items come from
    # the care plan may prescribe only what the délégant wrote there: {act code: [items]}.
    act_limits = models.JSONField(
        "prescriptions autorisées par le médecin dans le plan de soins", default=dict, blank=True
    )
    asalee_file_number = models.CharField("n° de dossier Asalée", max_length=40, blank=True)
    included_on = models.DateField("inclus(e) le", null=True, blank=True)
    exited_on = models.DateField("sorti(e) le", null=True, blank=True)
    exit_reason = models.CharField("motif de sortie", max_length=200, blank=True)
    # The facts and the engine's answer on the inclusion date (R-COOP-13: the
    # délégant's decision rests on them).
    facts_snapshot = models.JSONField("faits à l'inclusion", default=dict, blank=True)

    class Meta:
        ordering = ["-consent_recorded_at", "-pk"]
        verbose_name = "inclusion d'un patient"
        verbose_name_plural = "inclusions de patients"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "protocol"], condition=models.Q(status="included"),
                name="coop_inclusion_one_open_per_protocol",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} — {self.protocol_title}"

    def enabled_act_defs(self) -> list[catalogue.Act]:
        p = self.protocol_def
        return [a for a in p.acts if a.code in self.enabled_acts] if p else []

    def enabled_acts_with_limits(self) -> list[tuple[catalogue.Act, list[str]]]:
        return [(a, list(self.act_limits.get(a.code, []))) for a in self.enabled_act_defs()]


class ActContext(models.TextChoices):
    MONTHLY_VISIT = "monthly_visit", "Visite de suivi programmée"
    INTERCURRENT_EVENT = "intercurrent_event", "Événement intercurrent (appel du patient)"
    CONSULTATION = "consultation", "Consultation"


class InformationChannel(models.TextChoices):
    SECURE_MAIL = "mssante", "Messagerie sécurisée de santé"
    LETTER = "letter", "Courrier"
    PHONE = "phone", "Téléphone"
    HAND = "hand", "Remis en main propre"


class DelegatedAct(AuthoredRecord):
    """One act of the protocol done by the délégué for an included patient (R-PAPH-12,
    R-PAPH-21 … R-PAPH-29; R-ASA-13: `derogatory` copied from the act catalogue)."""

    inclusion = models.ForeignKey(
        PatientInclusion, on_delete=models.PROTECT, related_name="acts"
    )
    act_code = models.CharField("acte", max_length=40)
    derogatory = models.BooleanField("acte dérogatoire", default=True)
    context = models.CharField("contexte", max_length=20, choices=ActContext.choices)
    performed_on = models.DateField("date")
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="infirmier(ère)", on_delete=models.PROTECT,
        related_name="cooperation_acts",
    )
    doctor = models.ForeignKey(
        "cabinet.Medecin", verbose_name="médecin délégant", on_delete=models.PROTECT,
        related_name="cooperation_acts",
    )
    location = models.CharField("lieu", max_length=10, choices=LivingPlace.choices)
    findings = models.TextField("constatations et mesures")
    decision = models.CharField("décision", max_length=200)
    decision_detail = models.TextField("précisions (molécule, dose, durée…)", blank=True)
    care_plan_item = models.CharField(
        "prescription choisie dans le plan de soins", max_length=300, blank=True
    )
    reprise_by_delegant = models.BooleanField("médecin rappelé (reprise)", default=False)
    reprise_reason = models.CharField("motif de la reprise", max_length=200, blank=True)
    adverse_event = models.BooleanField("événement indésirable", default=False)
    adverse_event_description = models.TextField("description de l'événement", blank=True)
    doctor_information = models.TextField("information transmise au médecin", blank=True)
    doctor_informed_via = models.CharField(
        "transmise par", max_length=10, choices=InformationChannel.choices, blank=True
    )
    doctor_informed_at = models.DateTimeField("transmise le", null=True, blank=True)
    visit = models.ForeignKey(
        "cabinet.Visit", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="cooperation_acts", verbose_name="visite de la tournée",
    )

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name = "acte délégué"
        verbose_name_plural = "actes délégués"

    def __str__(self) -> str:
        return f"{self.act_label} — {self.inclusion.patient} le {self.performed_on:%d/%m/%Y}"

    @property
    def act_def(self) -> catalogue.Act | None:
        p = self.inclusion.protocol_def
        return p.act(self.act_code) if p else None

    @property
    def act_label(self) -> str:
        a = self.act_def
        return a.label if a else self.act_code


class FollowUpVisit(models.Model):
    """A monthly follow-up consultation (R-PAPH-7, R-PAPH-22) planned as a visit of the
    tournées. The visit carries no NGAP act: the follow-up is paid by the forfait
    (R-PAPH-9)."""

    inclusion = models.ForeignKey(
        PatientInclusion, on_delete=models.CASCADE, related_name="follow_up_visits"
    )
    visit = models.OneToOneField(
        "cabinet.Visit", on_delete=models.CASCADE, related_name="cooperation_follow_up"
    )
    sequence = models.PositiveSmallIntegerField("n°")

    class Meta:
        ordering = ["inclusion", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["inclusion", "sequence"],
                                    name="coop_follow_up_sequence"),
        ]

    def __str__(self) -> str:
        return f"Suivi {self.sequence} — {self.visit}"


class ThirdPartyConvention(VersionedRecord):
    """Non-medical télésurveillance activities entrusted to an external third party
    (R-TLS-6, R-TLS-7: written convention, remote only, patient informed, third party
    named in the ARS declaration). Medical activities are refused (R-TLS-6)."""

    operator_name = models.CharField("opérateur de télésurveillance", max_length=200)
    operator_ars_ref = models.CharField("référence de la déclaration ARS", max_length=100,
                                        blank=True)
    operator_recepisse_at = models.DateField("récépissé de l'ARS le", null=True, blank=True)
    indication = models.CharField("indication", max_length=200)
    third_party_name = models.CharField("tiers", max_length=200)
    third_party_siret = models.CharField("SIRET du tiers", max_length=14, blank=True)
    third_party_professionals = models.TextField("professionnels du tiers", blank=True)
    activities = models.JSONField("activités confiées", default=list)
    convention_signed_at = models.DateField("convention signée le", null=True, blank=True)
    remote_only = models.BooleanField("activités réalisées à distance uniquement", default=False)
    patient_information = models.TextField("information des patients (modalités)", blank=True)
    patients_informed_at = models.DateField("patients informés le", null=True, blank=True)
    named_in_ars_declaration = models.BooleanField(
        "tiers nommé dans la déclaration à l'ARS", default=False
    )
    ars_transmission_at = models.DateField("transmis à l'ARS le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["operator_name", "third_party_name", "pk"]
        verbose_name = "convention avec un tiers"
        verbose_name_plural = "conventions avec des tiers"

    def __str__(self) -> str:
        return f"{self.operator_name} → {self.third_party_name}"

    def checklist(self) -> list[tuple[str, bool]]:
        """R-TLS-7 checklist (UNCERTAIN rule: shown as a checklist, not enforced)."""
        return [
            ("Convention écrite signée", self.convention_signed_at is not None),
            ("Activités réalisées à distance uniquement", self.remote_only),
            ("Patients informés", self.patients_informed_at is not None),
            ("Tiers nommé dans la déclaration à l'ARS", self.named_in_ars_declaration),
            ("Transmission à l'ARS", self.ars_transmission_at is not None),
        ]

    @property
    def is_complete(self) -> bool:
        return all(ok for _, ok in self.checklist())

    def activity_labels(self) -> list[str]:
        table = catalogue.delegation()
        return [a.label if (a := table.activity(code)) else code for code in self.activities]
