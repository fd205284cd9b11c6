"""`billing:invoice_remove_seance`: a séance taken off a draft to be
corrected becomes invoiceable again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services

from .invoice_helpers import clean_seance, make_patient, make_seance

pytestmark = pytest.mark.django_db


def test_remove_the_faulty_seance(personas):
    patient = make_patient()
    good = clean_seance(personas.claire, patient=patient)
    bad = make_seance(patient, personas.claire, prescription=None)
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[good.pk, bad.pk])
    personas.client("nadia").post(
        reverse("billing:invoice_remove_seance", args=[invoice.pk, bad.pk]))
    bad.refresh_from_db()
    assert bad.invoiced_at is None
    assert list(invoice.links.values_list("seance_id", flat=True)) == [good.pk]


def test_the_last_seance_removes_the_draft(personas):
    seance = clean_seance(personas.claire)
    seance.source = "visit"
    seance.save(update_fields=["source"])
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    response = personas.client("nadia").post(
        reverse("billing:invoice_remove_seance", args=[invoice.pk, seance.pk]))
    assert response["Location"] == reverse("billing:invoice_new")


def test_an_entered_passage_goes_back_to_its_entry_to_be_corrected(personas):
    seance = make_seance(make_patient(), personas.claire, prescription=None)  # source "entry"
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    response = personas.client("nadia").post(
        reverse("billing:invoice_remove_seance", args=[invoice.pk, seance.pk]))
    assert response["Location"] == reverse("billing:entry_edit", args=[seance.pk])
