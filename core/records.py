"""Abstract bases for the field groups many records share.

The concrete models keep their own names, options and Meta: a base only
supplies columns declared identically everywhere they appear, so the schema
(and the migrations) stay what they were. `core` imports none of the apps;
the apps' models build on these bases.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class RowVersioned(models.Model):
    """S-DATA-2: bumped on every save; a form posted with an older value is
    refused (core.versioning)."""

    row_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class CreatedAt(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class UpdatedAt(models.Model):
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Timestamped(CreatedAt, UpdatedAt):
    class Meta:
        abstract = True


class VersionedRecord(RowVersioned, Timestamped):
    """An editable record: its version, when it was created and last saved."""

    class Meta:
        abstract = True


class AuthoredRecord(CreatedAt):
    """A row entered once by a user who must stay known (PROTECT)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class AppendOnly(models.Model):
    """A trace that is written once: the model refuses to change or delete a
    stored row (PostgreSQL triggers refuse it as well where a migration adds
    them). Each model words the refusal for its own readers."""

    change_refused: str = "Cet enregistrement ne peut pas être modifié."
    delete_refused: str = "Cet enregistrement ne peut pas être supprimé."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(self.change_refused)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self.delete_refused)


def random_upload_name(folder_format: str, filename: str) -> str:
    """A random name under a dated folder (`folder_format` is a strftime
    pattern): the stored file's name says nothing about the patient. Only the
    extension of the uploaded name is kept, cut short."""
    extension = PurePath(filename).suffix.lower()[:5]
    return f"{timezone.now().strftime(folder_format)}/{uuid.uuid4().hex}{extension}"
