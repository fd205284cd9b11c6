"""`billing:invoice_validate_many`: the drafts ticked in the list; those the
audit blocks stay drafts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services
from billing.models import InvoiceStatus

from .invoice_helpers import clean_seance, make_patient, make_seance

pytestmark = pytest.mark.django_db
URL = reverse("billing:invoice_validate_many")


def test_validates_the_clean_drafts_and_keeps_the_blocked(personas):
    good = services.create_invoices(acting_user=personas.nadia, seance_ids=[
        clean_seance(personas.claire).pk, clean_seance(personas.marc).pk])
    [bad] = services.create_invoices(acting_user=personas.nadia, seance_ids=[
        make_seance(make_patient(), personas.claire, prescription=None).pk])
    response = personas.client("nadia").post(
        URL, {"factures": [i.pk for i in good] + [bad.pk]}, follow=True)
    page = response.content.decode()
    assert "2 facture(s) validée(s)" in page and "1 brouillon(s) bloqué(s)" in page
    for invoice in good:
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.VALIDATED
    bad.refresh_from_db()
    assert bad.status == InvoiceStatus.DRAFT


def test_a_titulaire_validates_only_her_own(personas):
    [marc] = services.create_invoices(acting_user=personas.nadia,
                                      seance_ids=[clean_seance(personas.marc).pk])
    personas.client("claire").post(URL, {"factures": [marc.pk]})
    marc.refresh_from_db()
    assert marc.status == InvoiceStatus.DRAFT
