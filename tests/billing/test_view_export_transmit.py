"""`billing:export_transmit`: marking a batch transmitted records its date on
every invoice (FAC-4, FAC-9); twice is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import export, services
from billing.models import InvoiceStatus

from .invoice_helpers import clean_seance

pytestmark = pytest.mark.django_db


def test_mark_transmitted(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.claire).pk])
    services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    batch = export.export_batch(acting_user=personas.nadia, invoices=[invoice])
    client = personas.client("nadia")
    client.post(reverse("billing:export_transmit", args=[batch.pk]))
    invoice.refresh_from_db()
    batch.refresh_from_db()
    assert invoice.status == InvoiceStatus.TRANSMITTED
    assert invoice.transmitted_at == batch.transmitted_at is not None
    page = client.post(reverse("billing:export_transmit", args=[batch.pk]),
                       follow=True).content.decode()
    assert "déjà marqué transmis" in page
