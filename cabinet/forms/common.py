"""Helpers shared by the cabinet forms (French messages at the field)."""

from __future__ import annotations

import re

from django import forms

from ..validators import check_upload

PHONE_RE = re.compile(r"^\+?[\d .\-()]{6,20}$")


def check_phone(form: forms.Form, name: str) -> None:
    value = form.cleaned_data.get(name)
    if value and not PHONE_RE.match(value):
        form.add_error(name, "Numéro de téléphone invalide (chiffres, espaces, + et tirets).")


def check_file(form: forms.Form, name: str) -> None:
    """S-DATA-4 at the field: size first, then the first bytes."""
    upload = form.cleaned_data.get(name)
    if not upload or not hasattr(upload, "size") or not hasattr(upload, "content_type"):
        return  # no new upload (empty or the stored file)
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    result = check_upload(upload.name, upload.size, head)
    for error in result.errors:
        form.add_error(name, error)


class FileInput(forms.ClearableFileInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"accept": "application/pdf,image/jpeg", **(attrs or {})})

