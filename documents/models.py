"""Generated documents and batches of them.

A `GeneratedDocument` points at the object it is about through a generic
reference, so this app imports none of the apps whose documents it renders.
Idempotence (one document, one file): the tuple (kind, object, template
version, hash of the frozen data) is unique.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    PENDING = "pending", "en attente"
    RENDERING = "rendering", "en cours"
    READY = "ready", "prêt"
    FAILED = "failed", "échec"


FINISHED = frozenset({Status.READY, Status.FAILED})


def _document_path(instance: GeneratedDocument, filename: str) -> str:
    return f"documents/{instance.requested_at:%Y/%m}/{filename}"


def _batch_path(instance: DocumentBatch, filename: str) -> str:
    return f"documents/lots/{instance.requested_at:%Y/%m}/{filename}"


class GeneratedDocument(models.Model):
    kind = models.CharField("type", max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField("concerne", max_length=200, blank=True)
    # S-TRACE-1: the patient concerned, kept for the audit of every download.
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    template_version = models.CharField("version du modèle", max_length=40)
    context = models.JSONField("données figées")
    context_sha256 = models.CharField(max_length=64)

    status = models.CharField(
        "état", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField("motif de l'échec", blank=True)
    file = models.FileField("fichier PDF", upload_to=_document_path, blank=True, max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    download_name = models.CharField("nom du fichier", max_length=150)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="demandé par",
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    started_at = models.DateTimeField("rendu commencé le", null=True, blank=True)
    rendered_at = models.DateTimeField("prêt le", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # Identifies the render attempt that owns the document while "en cours":
    # a worker whose claim was taken over (it was presumed dead) drops its work.
    claim = models.CharField(max_length=36, blank=True)
    # The process that holds the claim (host, PID namespace, PID): a render
    # whose process is known to be gone is taken over at once, without
    # waiting for the time limit.
    claimed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = "document généré"
        verbose_name_plural = "documents générés"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "template_version", "context_sha256"],
                name="document_idempotence_key",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind_label} — {self.object_repr}"

    def save(self, *args, **kwargs):
        # S-DATA-1: a ready (possibly sent) document is never changed.
        sent = getattr(self, "_sent", None)
        if sent is not None and (self.status != Status.READY or self._fingerprint() != sent):
            raise ValidationError("Un document prêt ne peut pas être modifié.")
        super().save(*args, **kwargs)
        self._sent = self._fingerprint() if self.status == Status.READY else None

    def delete(self, *args, **kwargs):
        if self.status == Status.READY:
            raise ValidationError("Un document prêt ne peut pas être supprimé.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        loaded = {"status", "file", "sha256", "context_sha256", "template_version"} <= set(field_names)
        ready = loaded and instance.status == Status.READY
        instance._sent = instance._fingerprint() if ready else None
        return instance

    def _fingerprint(self) -> tuple:
        return (self.file.name, self.sha256, self.context_sha256, self.template_version)

    @property
    def kind_label(self) -> str:
        from .registry import UnknownKind, get

        try:
            return get(self.kind).label
        except UnknownKind:
            return self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class DocumentBatch(models.Model):
    """Many documents of one kind asked for at once (the letters to every
    patient of a titulaire…), plus one merged PDF to print."""

    kind = models.CharField("type", max_length=60)
    title = models.CharField("titre", max_length=200)
    documents = models.ManyToManyField(GeneratedDocument, through="BatchItem", related_name="batches")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="demandé par",
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    status = models.CharField(
        "état", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    error = models.TextField("motif de l'échec", blank=True)
    merged_file = models.FileField("PDF à imprimer", upload_to=_batch_path, blank=True, max_length=255)
    merged_sha256 = models.CharField(max_length=64, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lot de documents"
        verbose_name_plural = "lots de documents"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def progress(self) -> dict:
        counts = dict(
            self.items.values_list("document__status").annotate(n=models.Count("pk")).order_by()
        )
        total = sum(counts.values())
        done = counts.get(Status.READY, 0) + counts.get(Status.FAILED, 0)
        return {
            "total": total,
            "done": done,
            "ready": counts.get(Status.READY, 0),
            "failed": counts.get(Status.FAILED, 0),
            "percent": round(100 * done / total) if total else 100,
        }


class BatchItem(models.Model):
    batch = models.ForeignKey(DocumentBatch, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(GeneratedDocument, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="batch_item_position"),
            models.UniqueConstraint(fields=["batch", "document"], name="batch_item_document"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} #{self.position}"
