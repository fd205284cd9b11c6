"""`billing:invoice_list`: who sees which invoices, filters, pagination and a
constant number of queries whatever the number of invoices."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.invoicing import services
from billing.models import Invoice

from .invoice_helpers import clean_seance

pytestmark = pytest.mark.django_db
URL = reverse("billing:invoice_list")


def _drafts(personas, nurse, n, **kw):
    return services.create_invoices(acting_user=personas.nadia, seance_ids=[
        clean_seance(nurse, **kw).pk for _ in range(n)])


def test_secretary_sees_the_whole_cabinet_titulaire_her_own(personas):
    mine = _drafts(personas, personas.claire, 1)[0]
    other = _drafts(personas, personas.marc, 1)[0]
    nadia = personas.client("nadia").get(URL + "?etat=brouillon").content.decode()
    claire = personas.client("claire").get(URL + "?etat=brouillon").content.decode()
    assert f"brouillon n° {mine.pk}" in nadia and f"brouillon n° {other.pk}" in nadia
    assert f"brouillon n° {mine.pk}" in claire and f"brouillon n° {other.pk}" not in claire


def test_remplacante_sees_only_invoices_of_seances_she_performed(personas):
    hers = _drafts(personas, personas.claire, 1, performed_by=personas.julie)[0]
    not_hers = _drafts(personas, personas.claire, 1)[0]
    page = personas.client("julie").get(URL + "?etat=brouillon").content.decode()
    assert f"brouillon n° {hers.pk}" in page and f"brouillon n° {not_hers.pk}" not in page
    assert "Valider les brouillons" not in page


def test_filter_by_nurse_and_week(personas):
    _drafts(personas, personas.claire, 1)
    marc = _drafts(personas, personas.marc, 1)[0]
    page = personas.client("nadia").get(
        URL, {"infirmier": personas.marc.pk, "semaine": "2026-W23", "etat": "brouillon"})
    assert list(page.context["page"].object_list) == [marc]
    empty = personas.client("nadia").get(URL, {"semaine": "2026-W30", "etat": "brouillon"})
    assert not empty.context["page"].object_list
    assert personas.client("nadia").get(URL, {"semaine": "9999-W99"}).status_code == 200


def test_constant_queries_at_1x_and_10x(personas):
    _drafts(personas, personas.claire, 3)
    client = personas.client("nadia")
    client.get(URL)  # the session's first request does one-off work
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    _drafts(personas, personas.claire, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    assert len(large) == len(small)
    assert len(response.context["page"].object_list) <= 30
    assert Invoice.objects.count() > 30
