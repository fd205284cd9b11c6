"""`billing:invoice_acknowledge`: a warning accepted with who and when, then
the draft validates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from billing.invoicing import services
from billing.invoicing.audit_input import audit_seances
from billing.models import AuditAcknowledgement, InvoiceStatus

from .invoice_helpers import make_patient, make_prescription, make_seance

pytestmark = pytest.mark.django_db


def test_acknowledge_then_validate(personas):
    patient = make_patient()
    seance = make_seance(patient, personas.claire,
                         prescription=make_prescription(patient, acts=(("AMI", 3),)))
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    [warning] = audit_seances([seance.pk])[0].warnings
    client = personas.client("nadia")
    client.post(reverse("billing:invoice_acknowledge", args=[invoice.pk]), {"key": warning.key})
    ack = AuditAcknowledgement.objects.get(invoice=invoice)
    assert ack.rule == "AUD-3" and ack.acknowledged_by == personas.nadia
    page = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Accepté par Nadia Benali" in page
    client.post(reverse("billing:invoice_validate", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VALIDATED


def test_unknown_key_is_refused(personas):
    patient = make_patient()
    seance = make_seance(patient, personas.claire,
                         prescription=make_prescription(patient, acts=(("AMI", 3),)))
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    response = personas.client("nadia").post(
        reverse("billing:invoice_acknowledge", args=[invoice.pk]), {"key": "AUD-3:x"},
        follow=True)
    assert "n&#x27;existe plus" in response.content.decode()
    assert not AuditAcknowledgement.objects.filter(invoice=invoice).exists()
