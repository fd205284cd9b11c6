"""S-DATA-2: concurrent edits of the same record never silently overwrite each other.

Every editable record carries `row_version`. Its edit form sends back, in a
hidden field, the version it was opened on (`VersionedForm`); the update
service locks the stored row and refuses the save when that version is
stale or missing (`lock_version`), then stores the record with the next
version (`next_version`). The view shows the refusal at the top of the form
it re-renders (`refuse_stale`), so the user's input stays on the page.

A POST without the version is refused like a stale one: a form that forgot
it, or a hand-made request, would otherwise overwrite whatever was saved in
between."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

STALE_MESSAGE = (
    "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte "
    "(ou la page envoyée ne dit pas quelle version vous modifiiez) : rien n'a été "
    "enregistré. Vos saisies sont conservées ci-dessous ; rechargez la fiche dans un autre "
    "onglet et refaites vos changements."
)

# A version beyond this is a forged request (and would not fit the column).
_MAX_VERSION = 2**31 - 1


class ConcurrentEditError(ValidationError):
    """The record changed since the form was opened, or the form did not say
    which version it was opened on. A `ValidationError`, so the views that
    show a service's refusals at the form show this one too."""

    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message, code="stale")


def parse_version(value) -> int | None:
    """The version a form sent back, or None when absent or not a plain
    positive integer (never an exception: S-INPUT-1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "").strip()
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            return None
        number = int(text)
    return number if 1 <= number <= _MAX_VERSION else None


def lock_version(model, pk, expected_version: int | None):
    """The stored row, locked until the end of the (atomic) transaction;
    refused when the form's version is missing or is not the stored one."""
    stored = model.objects.select_for_update().get(pk=pk)
    if expected_version is None or stored.row_version != expected_version:
        raise ConcurrentEditError
    return stored


def next_version(record, stored) -> None:
    """Every save of a record gives it the next version."""
    record.row_version = stored.row_version + 1


class VersionedForm(forms.Form):
    """Mixed into an edit form (before `forms.ModelForm`): the hidden version
    of the record it shows, required as soon as the record exists. A missing
    or malformed version is a form error shown at the top, with the same
    message as a stale one."""

    row_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.editing_existing:
            self.fields["row_version"].initial = self.instance.row_version

    @property
    def editing_existing(self) -> bool:
        instance = getattr(self, "instance", None)
        return instance is not None and instance.pk is not None

    def clean_row_version(self) -> int | None:
        version = parse_version(self.cleaned_data.get("row_version"))
        if version is None and self.editing_existing:
            self.add_error(None, ConcurrentEditError())
        return version

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("row_version")


def refuse_stale(form) -> None:
    """Show the refusal at the top of the re-rendered form (its fields keep
    what the user typed)."""
    form.add_error(None, ConcurrentEditError())
