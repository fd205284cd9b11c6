"""`billing:invoice_detail`: prescriber and prescription, séances and lines
with coefficient, rate, amount and rules, the split and totals per payer, the
tariff version; for a draft the audit (errors, warnings to acknowledge, AUD-9
engine beside billed). Constant queries whatever the number of séances."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.invoicing import services
from billing.ngap.model import Line
from core.models import AuditEvent

from .invoice_helpers import clean_seance, make_patient, make_prescription, make_seance

pytestmark = pytest.mark.django_db


def _url(invoice):
    return reverse("billing:invoice_detail", args=[invoice.pk])


def test_shows_prescriber_lines_split_and_tariff(personas):
    patient = make_patient(amc_name="Mutuelle Claire", amc_tiers_payant=True)
    seance = clean_seance(personas.claire, patient=patient)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    page = personas.client("nadia").get(_url(invoice)).content.decode()
    prescriber = seance.prescription.prescriber
    assert prescriber.last_name in page and seance.prescription.date.strftime("%d/%m/%Y") in page
    assert "NGAP-11B-1" in page and "AMI" in page and "6,30" in page
    assert "Mutuelle Claire" in page and "3,62" in page and "5,43" in page
    assert seance.tariff_version.isoformat() in page
    assert AuditEvent.objects.filter(action="view", object_id=str(invoice.pk)).exists()


def test_draft_audit_error_shows_engine_beside_billed_and_blocks(personas):
    patient = make_patient()
    prescription = make_prescription(patient, acts=(("AMI", 4),))
    billed = [Line("AMI", 4, 1, 3.15, 12.60, ()), Line("IFD", None, 1, 2.75, 2.75, ()),
              Line("MAU", None, 1, 1.35, 1.35, ())]
    for line in billed:
        line.amo_rate, line.amo = 0.6, 0
    seance = make_seance(patient, personas.claire, prescription=prescription,
                         acts=(("AMI", 4),), lines=billed)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    response = personas.client("nadia").get(_url(invoice))
    page = response.content.decode()
    assert "AUD-9" in page and "retirer la MAU" in page
    assert "Cotation NGAP (moteur)" in page and "Cotation facturée" in page
    assert 'disabled aria-disabled="true"' in page


def test_warning_has_an_acknowledge_button(personas):
    patient = make_patient()
    prescription = make_prescription(patient, acts=(("AMI", 3),))
    seance = make_seance(patient, personas.claire, prescription=prescription)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    page = personas.client("nadia").get(_url(invoice)).content.decode()
    assert "AUD-3" in page and "accepter cet avertissement" in page
    julie = personas.client("julie").get(_url(invoice))
    assert julie.status_code == 404  # she did not perform it


def test_foreign_invoice_is_404(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.marc).pk])
    assert personas.client("claire").get(_url(invoice)).status_code == 404
    assert personas.client("marc").get(_url(invoice)).status_code == 200


def test_constant_queries_at_1x_and_10x(personas):
    patient = make_patient()
    few = [clean_seance(personas.claire, patient=patient) for _ in range(2)]
    many = [clean_seance(personas.claire, patient=patient) for _ in range(20)]
    [small] = services.create_invoices(acting_user=personas.nadia, seance_ids=[s.pk for s in few])
    [large] = services.create_invoices(acting_user=personas.nadia,
                                       seance_ids=[s.pk for s in many])
    client = personas.client("nadia")
    client.get(_url(small))
    with CaptureQueriesContext(connection) as q_small:
        client.get(_url(small))
    with CaptureQueriesContext(connection) as q_large:
        client.get(_url(large))
    assert len(q_large) == len(q_small)
