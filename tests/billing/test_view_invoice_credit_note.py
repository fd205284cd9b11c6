"""`billing:invoice_credit_note`: the avoir cancels in full (FAC-4) and the
séances can be invoiced again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services
from billing.models import Invoice, InvoiceKind, InvoiceStatus

from .invoice_helpers import clean_seance

pytestmark = pytest.mark.django_db


def test_avoir_with_a_reason(personas):
    seance = clean_seance(personas.claire)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    client = personas.client("claire")
    url = reverse("billing:invoice_credit_note", args=[invoice.pk])
    page = client.post(url, {"motif": ""}, follow=True).content.decode()
    assert "motif" in page
    response = client.post(url, {"motif": "Erreur de date"})
    credit = Invoice.objects.get(cancels=invoice)
    assert response["Location"].endswith(f"/{credit.pk}/")
    assert credit.kind == InvoiceKind.CREDIT_NOTE
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED
    page = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert credit.number in page
    seance.refresh_from_db()
    assert seance.invoiced_at is None
