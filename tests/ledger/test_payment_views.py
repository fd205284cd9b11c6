"""The payment pages (PAY-1…3): entry with allocations, errors at the field,
the statement import that saves nothing before confirmation, rejects, and the
outstanding amounts with the invoices behind each figure."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from billing.models import InvoiceStatus
from billing.models.payments import Payment, Reject

from .helpers import pay, validated_invoice

pytestmark = pytest.mark.django_db


def _form(nurse, amount, rows, **extra):
    data = {"nurse": nurse.pk, "payer_kind": "amo", "payer_name": "CPAM 37",
            "received_on": "2026-06-20", "means": "virement", "reference": "REL-9",
            "amount": amount, "aff-TOTAL_FORMS": "6", "aff-INITIAL_FORMS": "0",
            "aff-MIN_NUM_FORMS": "0", "aff-MAX_NUM_FORMS": "40"}
    for i, (number, value) in enumerate(rows):
        data[f"aff-{i}-number"] = number
        data[f"aff-{i}-amount"] = value
    data.update(extra)
    return data


def test_pay_1_payment_entry_allocates_and_redirects(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    amount = str(invoice.amo).replace(".", ",")
    response = personas.client("nadia").post(
        reverse("billing:payment_new"), _form(personas.claire, amount, [(invoice.number, amount)]))
    assert response.status_code == 302
    payment = Payment.objects.latest("pk")
    assert payment.allocations.get().invoice == invoice


def test_pay_1_over_allocation_refused_at_the_field(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    response = personas.client("nadia").post(
        reverse("billing:payment_new"),
        _form(personas.claire, "500,00", [(invoice.number, "400,00")]))
    assert response.status_code == 200
    assert "encore dus" in response.content.decode()
    assert not Payment.objects.filter(allocations__invoice=invoice).exists()


def test_pay_1_bad_inputs_get_french_messages(personas):
    before = Payment.objects.count()
    response = personas.client("nadia").post(
        reverse("billing:payment_new"),
        _form(personas.claire, "abc", [("INCONNUE", "1,00"), ("", "2,00")],
              received_on="9999-01-01"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez un montant" in body and "invraisemblable" in body
    assert Payment.objects.count() == before


def test_pay_1_statement_shows_reconciliation_before_saving(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    data = {"nurse": personas.claire.pk, "payer_kind": "amo", "payer_name": "CPAM",
            "received_on": "2026-06-20", "means": "virement", "reference": "",
            "text": f"{invoice.number};{invoice.amo}\nZZZ;1,00\n"}
    client = personas.client("nadia")
    response = client.post(reverse("billing:statement"), data)
    assert response.status_code == 200 and "inconnue" in response.content.decode()
    assert not Payment.objects.filter(allocations__invoice=invoice).exists()
    data["text"] = f"{invoice.number};{invoice.amo}\n"
    response = client.post(reverse("billing:statement"), {**data, "confirmer": "1"})
    assert response.status_code == 302
    assert Payment.objects.get(allocations__invoice=invoice).amount == invoice.amo


def test_pay_2_reject_page_records_the_reason(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    url = reverse("billing:reject_new", args=[invoice.pk])
    response = personas.client("claire").post(url, {"payer_kind": "amo",
                                                    "rejected_on": "2026-06-21", "reason": ""})
    assert response.status_code == 200 and not Reject.objects.filter(invoice=invoice).exists()
    response = personas.client("claire").post(url, {"payer_kind": "amo",
                                                    "rejected_on": "2026-06-21",
                                                    "reason": "Ordonnance illisible"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.REJECTED


def test_pay_3_outstanding_bands_link_to_their_invoices(personas):
    today = date.today()
    old = validated_invoice(personas.claire, by=personas.nadia,
                            on=date.fromordinal(today.toordinal() - 75))
    recent = validated_invoice(personas.claire, by=personas.nadia, on=today)
    pay(recent, by=personas.nadia)
    client = personas.client("nadia")
    page = client.get(reverse("billing:outstanding")).content.decode()
    assert "plus de 60 jours" in page and "tranche=over_60" in page
    listing = client.get(reverse("billing:outstanding_list"),
                         {"tranche": "over_60", "payeur": "amo"}).content.decode()
    assert old.number in listing and recent.number not in listing


def test_pay_3_outstanding_query_count_is_flat(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client("nadia")
    client.get(reverse("billing:outstanding"))  # the session's one-off queries (second factor)
    validated_invoice(personas.claire, by=personas.nadia)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("billing:outstanding"))
    for _ in range(5):
        validated_invoice(personas.marc, by=personas.nadia)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("billing:outstanding"))
    assert len(large) == len(small)


def test_payment_list_and_detail_visibility(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia)
    payment = pay(invoice, by=personas.nadia)
    url = reverse("billing:payment_detail", args=[payment.pk])
    assert personas.client("claire").get(url).status_code == 200
    assert personas.client("marc").get(url).status_code == 404
    assert personas.client("julie").get(url).status_code == 403
    listing = personas.client("marc").get(reverse("billing:payment_list")).content.decode()
    assert str(payment.amount) not in listing or "Aucun paiement" in listing


def test_pay_2_invoice_page_shows_payments_and_the_reject(personas):
    from billing.payments import services

    invoice = validated_invoice(personas.claire, by=personas.nadia)
    pay(invoice, by=personas.nadia, amount="1.00")
    services.record_reject(acting_user=personas.nadia, invoice=invoice, payer_kind="amo",
                           rejected_on=date(2026, 6, 22), reason="Droits fermés")
    body = personas.client("claire").get(
        reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Droits fermés" in body and "1,00 €" in body and "avoir" in body
    assert reverse("billing:reject_new", args=[invoice.pk]) in body
