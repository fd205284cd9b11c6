from django.contrib.auth.models import AbstractUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .records import AppendOnly


class Role(models.TextChoices):
    TITULAIRE = "titulaire", "Infirmier(ère) titulaire"
    REMPLACANT = "remplacant", "Remplaçant(e)"
    SECRETAIRE = "secretaire", "Secrétaire"
    ADMIN = "admin", "Administrateur"


# The role sets the views, selectors and services use (imported from core.access).
NURSES = frozenset({Role.TITULAIRE, Role.REMPLACANT})
STAFF = frozenset({Role.TITULAIRE, Role.REMPLACANT, Role.SECRETAIRE})
# Those who keep the cabinet's records up to date.
OFFICE = frozenset({Role.TITULAIRE, Role.SECRETAIRE})


class User(AbstractUser):
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.SECRETAIRE)
    rpps = models.CharField("n° RPPS", max_length=11, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    # S-AUTH-2/3: second-factor devices (django-otp) and failed logins
    # (django-axes) live in those libraries' tables.

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_nurse(self) -> bool:
        return self.role in NURSES


class Zone(models.TextChoices):
    """IK zone of the cabinet (NGAP-13-3: the cabinet's address decides)."""

    PLAINE = "plaine", "Plaine"
    MONTAGNE = "montagne", "Montagne"
    PIED_SKI = "pied_ski", "À pied / à ski"


class Cabinet(models.Model):
    """The practice itself. One deployment serves one cabinet."""

    name = models.CharField("nom", max_length=200)
    address = models.CharField("adresse", max_length=255)
    postcode = models.CharField("code postal", max_length=5)
    city = models.CharField("commune", max_length=120)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    zone = models.CharField("zone IK", max_length=10, choices=Zone.choices, default=Zone.PLAINE)
    alsace_moselle = models.BooleanField(
        "Alsace-Moselle", default=False,
        help_text="Jours fériés locaux (Vendredi saint, 26 décembre).",
    )
    overseas = models.BooleanField("département d'outre-mer", default=False)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("courriel", blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)

    class Meta:
        verbose_name = "cabinet"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "Cabinet | None":
        return cls.objects.order_by("pk").first()


class AuditEvent(AppendOnly):
    """Who did or saw what (S-TRACE-1, S-TRACE-2). Append-only (S-TRACE-3):
    the model refuses updates and deletes, and on PostgreSQL a trigger refuses
    them for every database role as well."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    view = models.CharField(max_length=120, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    change_refused = "Le journal d'audit ne peut pas être modifié."
    delete_refused = "Le journal d'audit ne peut pas être supprimé."

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        indexes = [
            # The latest write (core.figures) without walking back over the
            # reads logged since: most rows of a working day are reads.
            models.Index(fields=["id"], condition=~models.Q(action="view"),
                         name="audit_writes_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"


class RecordVersion(AppendOnly):
    """The values of a change, kept apart from the audit trail (S-TRACE-2).

    The audit trail (AuditEvent) says who did what to which object and which
    fields changed; it is read by the administrator, who is not allowed
    patient data. The values themselves (an assessment's answers, an ALD's
    dates, a delegated act's decision, the acts of a visit) are written here,
    in the same transaction, and are read only through the record they belong
    to, by those allowed that record. Not registered in the Django admin."""

    event = models.OneToOneField(
        AuditEvent, on_delete=models.PROTECT, related_name="version", editable=False
    )
    at = models.DateTimeField(default=timezone.now, editable=False)
    author = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    object_type = models.CharField(max_length=60, editable=False)
    object_id = models.CharField(max_length=40, editable=False)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    values = models.JSONField(default=dict, encoder=DjangoJSONEncoder, editable=False)

    change_refused = "Une version enregistrée ne peut pas être modifiée."
    delete_refused = "Une version enregistrée ne peut pas être supprimée."

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="recordversion_object")]
        verbose_name = "version d'un enregistrement"
        verbose_name_plural = "versions des enregistrements"

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id} ({self.at:%d/%m/%Y %H:%M})"


class RoleChangeStatus(models.TextChoices):
    PENDING = "pending", "En attente de confirmation"
    APPLIED = "applied", "Appliqué"
    REFUSED = "refused", "Refusé"


class RoleChange(models.Model):
    """A change of a user's role (S-AUTHZ-1..3, S-TRACE-2): requested, then
    applied at once or, when it grants access to patient data and was not
    asked by a titulaire, applied only once a titulaire confirms it. Roles
    change only through `core.roles`; the Django admin shows them read-only."""

    user = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="role_changes")
    from_role = models.CharField("ancien rôle", max_length=20, choices=Role.choices)
    to_role = models.CharField("nouveau rôle", max_length=20, choices=Role.choices)
    requested_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", verbose_name="demandé par"
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    status = models.CharField(
        max_length=10, choices=RoleChangeStatus.choices, default=RoleChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="décidé par",
    )
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "changement de rôle"
        verbose_name_plural = "changements de rôle"

    def __str__(self) -> str:
        return f"{self.user} : {self.get_from_role_display()} → {self.get_to_role_display()}"
