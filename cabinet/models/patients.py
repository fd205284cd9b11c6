from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.records import RowVersioned, UpdatedAt, VersionedRecord, random_upload_name

from .. import ald_rules
from ..search import search_text as build_search_text


class Sex(models.TextChoices):
    MALE = "M", "Homme"
    FEMALE = "F", "Femme"


class BsiLevel(models.TextChoices):
    NONE = "", "Aucun"
    BSA = "BSA", "BSA (dépendance légère)"
    BSB = "BSB", "BSB (dépendance intermédiaire)"
    BSC = "BSC", "BSC (dépendance lourde)"


class Exemption(models.TextChoices):
    """A 100 % AMO cover for a period (AMO-3): maternité, accident du travail
    or maladie professionnelle."""

    MATERNITE = "maternite", "Maternité"
    AT_MP = "at_mp", "Accident du travail / maladie professionnelle"


class GeocodeStatus(models.TextChoices):
    OK = "ok", "Localisée"
    FAILED = "failed", "Adresse non localisée"
    PENDING = "pending", "À localiser"


def ald_volet_upload_to(instance, filename: str) -> str:
    return random_upload_name("ald/%Y", filename)


class Medecin(RowVersioned):
    """Prescriber or médecin traitant (R-ID-1 … R-ID-3 for the RPPS)."""

    last_name = models.CharField("nom", max_length=120)
    first_name = models.CharField("prénom", max_length=120)
    rpps = models.CharField("n° RPPS", max_length=11, blank=True)
    specialty = models.CharField("spécialité", max_length=120, default="Médecine générale")
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "médecin"
        constraints = [
            models.UniqueConstraint(
                fields=["rpps"], condition=~models.Q(rpps=""), name="medecin_rpps_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Dr {self.first_name} {self.last_name}"

    @property
    def id_nat_ps(self) -> str:
        """R-ID-3: "8" + RPPS."""
        return f"8{self.rpps}" if self.rpps else ""

    @property
    def full_address(self) -> str:
        return ", ".join(p for p in (self.address, f"{self.postcode} {self.city}".strip()) if p)


class Patient(VersionedRecord):
    last_name = models.CharField("nom", max_length=120)
    birth_name = models.CharField("nom de naissance", max_length=120, blank=True)
    first_name = models.CharField("prénom", max_length=120)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    nir = models.CharField("NIR", max_length=15, blank=True)

    address = models.CharField("adresse", max_length=255)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5)
    city = models.CharField("commune", max_length=120)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    geocode_status = models.CharField(
        max_length=10, choices=GeocodeStatus.choices, default=GeocodeStatus.PENDING
    )
    door_code = models.CharField("digicode", max_length=40, blank=True)
    access_info = models.TextField("accès, clés", blank=True)

    phone = models.CharField("téléphone", max_length=20, blank=True)
    phone2 = models.CharField("autre téléphone", max_length=20, blank=True)
    entourage_name = models.CharField("contact de l'entourage", max_length=160, blank=True)
    entourage_phone = models.CharField("téléphone de l'entourage", max_length=20, blank=True)

    amo_regime = models.CharField("régime AMO", max_length=60, blank=True)
    amo_caisse_code = models.CharField("code caisse", max_length=9, blank=True)
    amc_name = models.CharField("mutuelle (AMC)", max_length=120, blank=True)
    amc_tiers_payant = models.BooleanField("tiers payant AMC", default=False)
    # Coverage for the invoice split (FAC-6, AMO-3/AMO-4 of ngap.md).
    c2s = models.BooleanField("complémentaire santé solidaire (C2S)", default=False)
    exemption = models.CharField(
        "exonération du ticket modérateur", max_length=10, choices=Exemption.choices,
        blank=True, default="",
    )
    exemption_from = models.DateField("exonération du", null=True, blank=True)
    exemption_to = models.DateField("exonération jusqu'au", null=True, blank=True)

    medecin_traitant = models.ForeignKey(
        Medecin, verbose_name="médecin traitant", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="patients",
    )
    referent_nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="infirmier(ère) référent(e)", null=True,
        blank=True, on_delete=models.SET_NULL, related_name="referent_patients",
    )
    mdph_handicap = models.BooleanField("handicap reconnu (MDPH)", default=False)
    mdph_date = models.DateField("date de reconnaissance MDPH", null=True, blank=True)
    bsi_level = models.CharField(
        "niveau BSI", max_length=3, choices=BsiLevel.choices, blank=True, default=""
    )
    bsi_date = models.DateField("date du BSI", null=True, blank=True)

    clinical_notes = models.TextField("notes cliniques", blank=True)
    admin_notes = models.TextField("notes administratives", blank=True)

    # Lower-case, accent-free "last first birth-name nir" for fast search.
    search_text = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    is_active = models.BooleanField("suivi en cours", default=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = "patient"

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    def save(self, *args, **kwargs):
        self.search_text = build_search_text(
            last_name=self.last_name, first_name=self.first_name, birth_name=self.birth_name,
            birth_date=self.birth_date if isinstance(self.birth_date, date) else None,
            nir=self.nir,
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"search_text", "updated_at"}
        super().save(*args, **kwargs)

    def age_on(self, day: date | None = None) -> int:
        day = day or timezone.localdate()
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on()

    @property
    def civility(self) -> str:
        return "Madame" if self.sex == Sex.FEMALE else "Monsieur"

    @property
    def born_on_text(self) -> str:
        """« née le 02/07/1941 » or « né le … », as letters write it."""
        return f"{'née' if self.sex == Sex.FEMALE else 'né'} le {self.birth_date:%d/%m/%Y}"

    def exemption_on(self, day: date) -> str:
        """The AMO-3 exemption covering care given on `day` ("" if none)."""
        if not self.exemption:
            return ""
        if self.exemption_from and day < self.exemption_from:
            return ""
        if self.exemption_to and day > self.exemption_to:
            return ""
        return self.exemption

    @property
    def is_located(self) -> bool:
        return self.geocode_status == GeocodeStatus.OK and self.latitude is not None

    @property
    def full_address(self) -> str:
        return ", ".join(
            p for p in (self.address, self.address_complement, f"{self.postcode} {self.city}") if p
        )


def patient_id_of(record) -> int | None:
    """The patient a cabinet record concerns: the patient itself, or the record's
    `patient_id` (an ALD, a prescription, a care plan); None for a record of no
    patient (a médecin)."""
    return record.pk if isinstance(record, Patient) else getattr(record, "patient_id", None)


class PatientVersion(models.Model):
    """S-TRACE-2: the previous state of a patient record and who changed it,
    written in the same transaction as the change."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_fields = models.JSONField(default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "-version"]
        verbose_name = "version de la fiche patient"
        verbose_name_plural = "versions des fiches patients"
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="patientversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} v{self.version}"


class AldProcedure(models.TextChoices):
    STANDARD = "standard", "Standard (médecin traitant)"
    DEROGATOIRE = "derogatoire", "Dérogatoire (hôpital, urgence)"


class AldDecision(models.TextChoices):
    # "Réputé accepté" is derived (R-ALD-7): pending and sent 14 days ago or more.
    PENDING = "pending", "Pas de réponse (envoyé ou à envoyer)"
    ACCEPTED = "accepted", "Accepté"
    REFUSED = "refused", "Refusé"


class AldValidity(models.IntegerChoices):
    THREE = 3, "3 ans"
    FIVE = 5, "5 ans"
    TEN = 10, "10 ans"


class Ald(RowVersioned, UpdatedAt):
    """An ALD and its protocole de soins (R-ALD-*)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alds")
    # 1–30 from the list of D.160-4 (R-ALD-15), 31 hors liste, 32 polypathologie (R-ALD-2).
    ald_number = models.PositiveSmallIntegerField("n° d'ALD")
    label = models.CharField("affection", max_length=255)
    # R-ALD-1: a non-exonérante ALD exists and leaves the ticket modérateur due.
    exonerante = models.BooleanField("exonérante", default=True)
    # R-ALD-3: the médecin traitant draws up the standard protocol; R-ALD-9: in
    # the procédure dérogatoire another doctor does, for 6 months.
    procedure = models.CharField(
        max_length=12, choices=AldProcedure.choices, default=AldProcedure.STANDARD
    )
    electronic = models.BooleanField("protocole électronique (PSE)", default=False)  # R-ALD-6
    established_by = models.ForeignKey(
        Medecin, verbose_name="établi par", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateField("envoyé le", null=True, blank=True)
    decision = models.CharField(
        max_length=10, choices=AldDecision.choices, default=AldDecision.PENDING
    )
    decision_at = models.DateField("décision le", null=True, blank=True)
    valid_from = models.DateField("valide du", null=True, blank=True)
    validity_years = models.PositiveSmallIntegerField(
        "durée d'exonération", choices=AldValidity.choices, null=True, blank=True
    )
    # Derived from valid_from, the procedure and validity_years (R-ALD-8, R-ALD-9);
    # for the procédure dérogatoire it is the deadline of the standard protocol.
    valid_to = models.DateField("valide jusqu'au", null=True, blank=True)
    # R-ALD-5: the acts and services covered at 100 % (or "as per HAS APALD").
    related_care = models.TextField("soins en rapport", blank=True)
    # R-ALD-4 / R-ALD-11: volet 3 is the patient's part, shown to the carers.
    volet_scan = models.FileField("volet 3 (scan)", upload_to=ald_volet_upload_to, blank=True)
    patient_volet_seen_at = models.DateField("volet 3 présenté le", null=True, blank=True)

    class Meta:
        ordering = ["patient", "ald_number"]
        verbose_name = "ALD"
        verbose_name_plural = "ALD"

    def __str__(self) -> str:
        return f"ALD {self.ald_number} — {self.label}"

    def status_on(self, day: date | None = None) -> ald_rules.AldStatus:
        return ald_rules.status(
            today=day or timezone.localdate(), decision=self.decision, sent_at=self.sent_at,
            valid_from=self.valid_from, valid_to=self.valid_to, procedure=self.procedure,
            exonerante=self.exonerante,
        )

    @property
    def status(self) -> ald_rules.AldStatus:
        return self.status_on()

    def covers_care_on(self, care_date: date, *, today: date | None = None) -> bool:
        """Whether care given on `care_date` is exempt under this ALD, with the
        decision known today (R-ALD-10: retroactive once agreed)."""
        return ald_rules.covers_care(
            care_date=care_date, today=today or timezone.localdate(), decision=self.decision,
            sent_at=self.sent_at, valid_from=self.valid_from, valid_to=self.valid_to,
            exonerante=self.exonerante,
        )
