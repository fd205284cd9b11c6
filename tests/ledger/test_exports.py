"""LED-3: the accountant's CSV exports — documented header, dot decimals,
UTF-8 — whose totals equal the ledger's to the cent; the yearly summary."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.payments import selectors

from .helpers import pay, validated_invoice

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _setup(personas):
    first = validated_invoice(personas.claire, by=personas.nadia, on=date(2026, 6, 3),
                              last_name="Élodie")
    second = validated_invoice(personas.claire, by=personas.nadia, on=date(2026, 6, 4),
                               performed_by=personas.julie)
    pay(first, by=personas.nadia, on=date(2026, 6, 10))
    pay(second, by=personas.nadia, amount="1.10", on=date(2026, 6, 12), payer="amo")
    return first, second


def test_led_3_receipts_export_equals_the_ledger(personas):
    _setup(personas)
    url = reverse("billing:ledger_export", args=[personas.claire.pk, "2026-06", "recettes"])
    rows = _csv(personas.client("nadia").get(url))
    assert list(rows[0]) == ["date", "payeur_type", "payeur", "moyen", "reference", "montant",
                             "factures", "infirmier"]
    assert all("." in row["montant"] and "," not in row["montant"] for row in rows)
    ledger = selectors.ledger(personas.claire, selectors.month(2026, 6))
    assert sum(Decimal(row["montant"]) for row in rows) == ledger.receipts_total


def test_led_3_acts_export_equals_the_ledger_and_names_the_remplacant(personas):
    _setup(personas)
    url = reverse("billing:ledger_export", args=[personas.claire.pk, "2026", "actes"])
    rows = _csv(personas.client("claire").get(url))
    ledger = selectors.ledger(personas.claire, selectors.year(2026))
    assert sum(Decimal(row["montant"]) for row in rows) == ledger.billed
    assert {row["remplacant"] for row in rows} == {"", personas.julie.username}


def test_led_3_yearly_summary_csv_and_pdf(personas):
    _setup(personas)
    url = reverse("billing:ledger_export", args=[personas.claire.pk, "2026", "synthese"])
    rows = _csv(personas.client("nadia").get(url))
    totals = [Decimal(r["montant"]) for r in rows if r["payeur_type"] == "total"]
    assert len(totals) == 12
    assert sum(totals) == selectors.ledger(personas.claire, selectors.year(2026)).receipts_total
    response = personas.client("nadia").post(
        reverse("billing:summary_pdf", args=[personas.claire.pk, 2026]))
    assert response.status_code == 302 and "/documents/" in response["Location"]


def test_led_3_remplacante_exports_only_her_acts(personas):
    _setup(personas)
    client = personas.client("julie")
    own = reverse("billing:ledger_export", args=[personas.julie.pk, "2026", "actes"])
    rows = _csv(client.get(own))
    assert len(rows) >= 1 and {r["remplacant"] for r in rows} == {personas.julie.username}
    receipts = reverse("billing:ledger_export", args=[personas.julie.pk, "2026", "recettes"])
    assert client.get(receipts).status_code == 404
    foreign = reverse("billing:ledger_export", args=[personas.claire.pk, "2026", "actes"])
    assert client.get(foreign).status_code == 404
