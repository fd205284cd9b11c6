"""The rétrocession pages: the remplaçante's month (live), the contract's statement, the
PDF request that never waits, and flat query counts at 60 and 600 acts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.models import GeneratedDocument
from replacements import documents as docs
from replacements import services
from replacements.models import MonthlyStatement, RetrocessionPayment

from .conftest import MONTH, make_seances


def eur(text: str) -> str:
    from documents.typography import amount

    return amount(Decimal(text))


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_my_retrocession_shows_the_month_figures(contract, client):
    make_seances(contract.titulaire, contract.remplacant, 61)
    client.force_login(contract.remplacant)
    response, _ = _get(client, reverse("replacements:my_retrocession") + "?mois=2026-03")
    html = response.content.decode()
    for figure in ("768.60", "167.75", "76.86", "859.49", "83600"):
        assert eur(figure) in html
    assert "Cumul 2026" in html


def test_contract_statement_reconciles_with_the_seances_on_the_page(contract, client):
    make_seances(contract.titulaire, contract.remplacant, 10)
    services.record_payment(acting_user=contract.titulaire, payment=RetrocessionPayment(
        contract=contract, month=MONTH, paid_on=dt.date(2026, 4, 2), amount=Decimal("100.00")))
    client.force_login(contract.titulaire)
    response, _ = _get(client, reverse("replacements:contract_statement", args=[contract.pk]) + "?mois=2026-03")
    html = response.content.decode()
    assert f"Total des séances sur la période : {eur('153.50')}" in html
    # 126.00 + 27.50 − 12.60 = 140.90; paid 100.00 → 40.90 left.
    assert f'data-total="retrocession">{eur("140.90")}' in html
    assert f'data-total="balance">{eur("40.90")}' in html


@pytest.mark.parametrize("url_name", ["replacements:my_retrocession", "replacements:contract_statement"])
def test_query_count_flat_at_60_and_600_acts(parties, client, url_name, django_user_model):
    from .conftest import make_contract

    tit, rem = parties
    contract = make_contract(tit, rem)
    client.force_login(rem)
    url = reverse(url_name, **({"args": [contract.pk]} if "contract" in url_name else {})) + "?mois=2026-03"
    make_seances(tit, rem, 60)
    _, small = _get(client, url)
    make_seances(tit, rem, 540)
    response, large = _get(client, url)
    assert "600 séances" in response.content.decode()
    assert small == large


def test_statement_pdf_is_requested_not_awaited(contract, client, django_capture_on_commit_callbacks):
    make_seances(contract.titulaire, contract.remplacant, 5)
    client.force_login(contract.remplacant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("replacements:statement_pdf", args=[contract.pk]), {"mois": "2026-03"})
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=docs.STATEMENT)
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.status != "ready" and len(callbacks) == 1  # rendered by a worker after commit
    statement = MonthlyStatement.objects.get(contract=contract, month=MONTH)
    data = docs.statement_context(statement)
    assert data["fees"] == Decimal("63.00") and data["retrocession"] == Decimal("70.45")


def test_statement_pdf_renders(contract, eager, django_capture_on_commit_callbacks):
    from documents.services import request_document

    make_seances(contract.titulaire, contract.remplacant, 5)
    statement = MonthlyStatement.objects.create(contract=contract, month=MONTH)
    with django_capture_on_commit_callbacks(execute=True):
        document = request_document(acting_user=contract.remplacant, kind=docs.STATEMENT, obj=statement)
    document.refresh_from_db()
    assert document.status == "ready" and document.file.size > 1000
    with django_capture_on_commit_callbacks(execute=True):
        contract_doc = request_document(acting_user=contract.titulaire, kind=docs.CONTRACT, obj=contract)
    contract_doc.refresh_from_db()
    assert contract_doc.status == "ready"
    clauses = [c["title"] for c in docs.contract_context(contract)["clauses"]]
    for title in ("Parties", "Période", "Lieu d'exercice", "Moyens mis à disposition", "Rétrocession",
                  "Paiement", "Non-concurrence", "Résiliation anticipée", "Coordination"):
        assert title in clauses
    pack = docs.transmission_context(contract)
    assert pack["autorisations"][0]["number"] == "A1" and len(pack["recipients"]) == 3


def test_other_remplacant_sees_nothing_of_the_contract(contract, client, django_user_model):
    other = django_user_model.objects.create_user("rem_other", role="remplacant", password="x")
    client.force_login(other)
    assert client.get(reverse("replacements:contract_statement", args=[contract.pk])).status_code == 404
    assert client.post(reverse("replacements:statement_pdf", args=[contract.pk]), {"mois": "2026-03"}).status_code == 404
    response = client.get(reverse("replacements:my_retrocession") + "?mois=2026-03")
    assert "Aucun contrat signé" in response.content.decode()
