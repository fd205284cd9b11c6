"""`billing:invoice_validate`: errors of the audit block; a clean draft gets
its number (FAC-3) and can no longer be changed (FAC-4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services
from billing.models import InvoiceStatus

from .invoice_helpers import clean_seance, make_patient, make_seance

pytestmark = pytest.mark.django_db


def _post(client, invoice):
    return client.post(reverse("billing:invoice_validate", args=[invoice.pk]), follow=True)


def test_clean_draft_is_validated_and_numbered(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.claire).pk])
    page = _post(personas.client("nadia"), invoice).content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VALIDATED and invoice.number in page
    assert "Retirer pour corriger" not in page and "Établir un avoir" in page


def test_audit_error_blocks_with_a_message(personas):
    seance = make_seance(make_patient(), personas.claire, prescription=None)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    page = _post(personas.client("nadia"), invoice).content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT
    assert "erreur(s) de l&#x27;audit bloquent la validation" in page


def test_remplacante_cannot_validate(personas):
    [invoice] = services.create_invoices(
        acting_user=personas.nadia,
        seance_ids=[clean_seance(personas.claire, performed_by=personas.julie).pk])
    assert personas.client("julie").post(
        reverse("billing:invoice_validate", args=[invoice.pk])).status_code == 403
