"""`billing:export_list`: one JSON batch per billing nurse of the validated
invoices not yet exported (FAC-9)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services
from billing.models import ExportBatch

from .invoice_helpers import clean_seance

pytestmark = pytest.mark.django_db
URL = reverse("billing:export_list")


def test_export_a_batch_of_validated_invoices(personas):
    invoices = services.create_invoices(acting_user=personas.nadia, seance_ids=[
        clean_seance(personas.claire).pk, clean_seance(personas.claire).pk])
    services.validate_invoices(acting_user=personas.nadia, invoices=invoices)
    client = personas.client("nadia")
    assert any(p["nurse_id"] == personas.claire.pk for p in client.get(URL).context["pending"])
    client.post(URL, {"infirmier": personas.claire.pk})
    batch = ExportBatch.objects.get(nurse=personas.claire, invoices__in=invoices[:1])
    assert batch.invoices.count() >= 2
    assert batch.content["format"] == "cabinet-infirmier/fse-export"
    response = client.post(URL, {"infirmier": personas.claire.pk}, follow=True)
    assert "Aucune facture validée à exporter" in response.content.decode()
