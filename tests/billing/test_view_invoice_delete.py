"""`billing:invoice_delete`: a draft only (FAC-4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services
from billing.models import Invoice

from .invoice_helpers import clean_seance

pytestmark = pytest.mark.django_db


def test_draft_deleted_validated_refused(personas):
    [draft, final] = services.create_invoices(acting_user=personas.nadia, seance_ids=[
        clean_seance(personas.claire).pk, clean_seance(personas.claire).pk])
    services.validate_invoice(acting_user=personas.nadia, invoice=final)
    client = personas.client("nadia")
    client.post(reverse("billing:invoice_delete", args=[draft.pk]))
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    page = client.post(reverse("billing:invoice_delete", args=[final.pk]),
                       follow=True).content.decode()
    assert Invoice.objects.filter(pk=final.pk).exists() and "avoir" in page
