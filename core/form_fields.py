"""Form fields and validators shared by the apps (S-INPUT-1: hostile input is
refused at its field, never a server error)."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError

# Dates outside these bounds are typing errors or forged requests; inside
# them, adding a day, a month or a year can never leave Python's date range.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# Primary keys are 64-bit integers; SQLite cannot even bind a larger one.
_PK_RANGE = range(-(2**63), 2**63)


def validate_plausible_date(value: date | None) -> None:
    if isinstance(value, datetime):
        value = value.date()
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            f"Date invraisemblable : saisissez une date entre le {EARLIEST_DATE:%d/%m/%Y} "
            f"et le {LATEST_DATE:%d/%m/%Y}.",
            code="implausible_date",
        )


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django checks each submitted key by building (not running) a query, so
    a key beyond 64 bits reaches the database in the IN query and crashes
    there; it is refused here as any other unknown choice."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django's own check refuses it with its message
            if number not in _PK_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def install_plausible_date_range() -> None:
    """S-INPUT-1 / S-DATA: every date of every model has a plausible range.

    A prescription saved with a start on 9999-12-31 (accepted before) broke
    the patient page for everyone. Rather than hoping each model and form
    lists the validator, it becomes a default validator of Django's model
    `DateField` (and so `DateTimeField`), for every app, now and to come:
    `full_clean()` and every ModelForm refuse such a date at its field. Default
    validators are not part of a field's migration state, so no migration
    changes. Plain forms list `validate_plausible_date` themselves."""
    from django.db import models

    if validate_plausible_date not in models.DateField.default_validators:
        models.DateField.default_validators = [
            *models.DateField.default_validators, validate_plausible_date
        ]


def safe_add_days(day: date, days: int) -> date:
    """`day + days`, clamped to Python's date range: a stored implausible
    date must never turn into an OverflowError on a page."""
    from datetime import timedelta

    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
