"""LED-1, LED-2: the ledger page per billing nurse and month/year: figures
that reconcile with the invoices and payments to the cent, charts, a constant
number of queries whatever the period's size, and who may open which ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.payments import selectors

from .helpers import pay, validated_invoice

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 10)


def _url(nurse, year=2026, month=6):
    if month is None:
        return reverse("billing:ledger_year", args=[nurse.pk, year])
    return reverse("billing:ledger_month", args=[nurse.pk, year, month])


def test_led_2_month_figures_reconcile_with_invoices_and_payments(personas):
    first = validated_invoice(personas.claire, by=personas.nadia, on=JUNE)
    second = validated_invoice(personas.claire, by=personas.nadia, on=JUNE,
                               acts=(("AMI", 4),))
    pay(first, by=personas.nadia, on=date(2026, 6, 25))
    pay(second, by=personas.nadia, amount="3.00", on=date(2026, 7, 2))
    ledger = selectors.ledger(personas.claire, selectors.month(2026, 6))
    assert ledger.billed == first.total + second.total
    assert ledger.received_on_invoices == first.amo + Decimal("3.00")
    assert ledger.billed == ledger.received_on_invoices + ledger.outstanding
    assert sum(row["billed"] for row in ledger.by_key) == ledger.billed
    assert sum(row["received"] for row in ledger.by_key) == ledger.received_on_invoices
    # Receipts are counted when received (cash basis): June has one, July one.
    assert ledger.receipts_total == first.amo
    july = selectors.ledger(personas.claire, selectors.month(2026, 7))
    assert july.receipts_total == Decimal("3.00") and july.billed == 0


def test_led_2_remplacants_acts_shown_apart(personas):
    validated_invoice(personas.claire, by=personas.nadia, on=JUNE, performed_by=personas.julie)
    ledger = selectors.ledger(personas.claire, selectors.month(2026, 6))
    assert [r["last_name"] for r in ledger.remplacants] == [personas.julie.last_name]


def test_led_1_month_page_shows_receipts_charts_and_exports(personas):
    invoice = validated_invoice(personas.claire, by=personas.nadia, on=JUNE)
    pay(invoice, by=personas.nadia, on=date(2026, 6, 25))
    response = personas.client("claire").get(_url(personas.claire))
    assert response.status_code == 200
    body = response.content.decode()
    assert invoice.number in body and "<svg" in body and "Recettes (CSV)" in body
    assert "juin 2026" in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_led_2_query_count_is_the_same_for_one_month_and_twelve(personas):
    client = personas.client("nadia")
    client.get(reverse("billing:ledger"))  # the session's one-off queries (second factor)
    pay(validated_invoice(personas.claire, by=personas.nadia, on=JUNE), by=personas.nadia,
        on=JUNE)
    month_small = _queries(client, _url(personas.claire))
    year_small = _queries(client, _url(personas.claire, month=None))
    for day in (date(2026, 1, 5), date(2026, 3, 5), date(2026, 6, 5), date(2026, 6, 6),
                date(2026, 9, 9), date(2026, 12, 1)):
        invoice = validated_invoice(personas.claire, by=personas.nadia, on=day)
        pay(invoice, by=personas.nadia, on=day)
    assert _queries(client, _url(personas.claire)) == month_small
    assert _queries(client, _url(personas.claire, month=None)) == year_small


def test_s_authz_ledger_visibility(personas):
    url = _url(personas.claire)
    assert personas.client("claire").get(url).status_code == 200
    assert personas.client("nadia").get(url).status_code == 200
    assert personas.client("marc").get(url).status_code == 404
    assert personas.client("julie").get(url).status_code == 404
    assert personas.client("admin").get(url).status_code == 403


def test_led_2_remplacante_sees_only_the_acts_she_performed(personas):
    mine = validated_invoice(personas.claire, by=personas.nadia, on=JUNE,
                             performed_by=personas.julie)
    other = validated_invoice(personas.claire, by=personas.nadia, on=JUNE)
    response = personas.client("julie").get(_url(personas.julie))
    assert response.status_code == 200
    body = response.content.decode()
    assert mine.number in body and other.number not in body
    assert "Recettes" not in body  # no receipts of the titulaire


def test_implausible_periods_are_404_not_500(personas):
    client = personas.client("claire")
    assert client.get(reverse("billing:ledger_month",
                              args=[personas.claire.pk, 9999, 1])).status_code == 404
    assert client.get(reverse("billing:ledger_month",
                              args=[personas.claire.pk, 2026, 13])).status_code == 404
    assert client.get(reverse("billing:ledger_export",
                              args=[personas.claire.pk, "2026-99", "recettes"])).status_code == 404
