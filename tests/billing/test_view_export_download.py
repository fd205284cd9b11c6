"""`billing:export_download`: the batch's JSON file, with everything an FSE
needs (docs/fse-export.md)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from billing.invoicing import export, services

from .invoice_helpers import clean_seance

pytestmark = pytest.mark.django_db


def test_download_the_documented_json(personas):
    seance = clean_seance(personas.claire, performed_by=personas.julie)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    batch = export.export_batch(acting_user=personas.nadia, invoices=[invoice])
    response = personas.client("claire").get(reverse("billing:export_download", args=[batch.pk]))
    assert response["Content-Disposition"].endswith(f'"{batch.filename}"')
    data = json.loads(response.content)
    [item] = data["invoices"]
    assert set(item) >= {"number", "ps", "performers", "beneficiary", "prescriptions", "lines",
                         "totals", "coverage"}
    assert item["ps"]["id"] == personas.claire.pk
    assert item["performers"][0]["id"] == personas.julie.pk
    assert item["prescriptions"][0]["prescriber"]["rpps"]
    assert item["prescriptions"][0]["date"] == seance.prescription.date.isoformat()
    assert {"nir", "amo_regime"} <= set(item["beneficiary"])
    assert item["lines"][0]["amount"] == "6.30" and item["totals"]["total"] == "9.05"
    assert personas.client("marc").get(
        reverse("billing:export_download", args=[batch.pk])).status_code == 404
