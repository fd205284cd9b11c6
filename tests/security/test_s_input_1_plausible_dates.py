"""S-INPUT-1 / S-DATA: every date has a plausible range (1900–2100) at the
model and form level, and every page that computes from dates survives the
implausible values already stored. The probe saved a prescription starting on
9999-12-31 (accepted, 302) and the patient page, the prescription, the care
plan pages and the renewal letter answered 500 for every user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from cabinet.models import Ald, CarePlan, Patient, Prescription
from tests.cabinet.helpers import claire_patient

FAR = dt.date(9999, 12, 31)
EARLY = dt.date(1, 1, 1)


def _date_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and field.editable:
                yield model, field


def test_s_input_1_every_model_date_field_refuses_an_implausible_date():
    checked = 0
    for _model, field in _date_fields():
        for value in (FAR, EARLY, dt.date(1899, 12, 31), dt.date(2101, 1, 1)):
            if isinstance(field, models.DateTimeField):
                value = dt.datetime.combine(value, dt.time(12), tzinfo=dt.UTC)
            with pytest.raises(ValidationError):
                field.run_validators(value)
        field.run_validators(dt.date(2026, 6, 1) if not isinstance(field, models.DateTimeField)
                             else dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
        checked += 1
    print(f"plausible date range checked on {checked} model date fields")
    assert checked >= 30


def test_s_input_1_prescription_form_refuses_9999_12_31(personas):
    patient = claire_patient()
    prescription = Prescription.objects.filter(patient=patient).first()
    prescription.start_date = FAR
    with pytest.raises(ValidationError) as caught:
        prescription.full_clean()
    assert "start_date" in caught.value.message_dict
    assert "invraisemblable" in " ".join(caught.value.message_dict["start_date"])


def test_s_input_1_pages_survive_implausible_dates_already_stored(personas):
    """Values stored before the range existed (written straight to the
    database, as the probe's were through the form)."""
    patient = claire_patient()
    prescription = Prescription.objects.filter(patient=patient).first()
    Prescription.objects.filter(pk=prescription.pk).update(start_date=FAR, date=FAR,
                                                           duration_days=30)
    plan = CarePlan.objects.filter(patient=patient).first()
    if plan is not None:
        CarePlan.objects.filter(pk=plan.pk).update(start_date=FAR, end_date=FAR)
    ald = Ald.objects.filter(patient=patient).first()
    if ald is not None:
        Ald.objects.filter(pk=ald.pk).update(valid_from=FAR, valid_to=FAR, sent_at=FAR)
    Patient.objects.filter(pk=patient.pk).update(bsi_date=FAR, mdph_date=EARLY)
    urls = [
        reverse("cabinet:patient_detail", kwargs={"pk": patient.pk}),
        reverse("cabinet:patient_edit", kwargs={"pk": patient.pk}),
        reverse("cabinet:prescription_detail", kwargs={"pk": prescription.pk}),
        reverse("cabinet:prescription_edit", kwargs={"pk": prescription.pk}),
        reverse("cabinet:prescription_renewal", kwargs={"pk": prescription.pk}),
        reverse("cabinet:careplan_create", kwargs={"prescription_pk": prescription.pk}),
        reverse("cabinet:worklist"),
        reverse("cabinet:patient_list"),
    ]
    if plan is not None:
        urls.append(reverse("cabinet:careplan_edit", kwargs={"pk": plan.pk}))
    if ald is not None:
        urls += [reverse("cabinet:ald_edit", kwargs={"pk": ald.pk}),
                 reverse("cabinet:ald_volet", kwargs={"pk": ald.pk})]
    client = personas.client("claire")
    statuses = {url: client.get(url).status_code for url in urls}
    assert all(status < 500 for status in statuses.values()), statuses
