"""Figures kept between two writes (core.figures): a second home page, audit
worklist, renewal worklist, ledger, rétrocession or coopération « éligibles » page reads its figures from memory, a read
logged in between does not change that, any audited write makes the next page
compute them again, and a user never gets another user's figures."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.invoicing.selectors import invoiceable_seances_for
from tests.billing.entry_helpers import an_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.FIGURES_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _waiting(html: str) -> int:
    return int(re.search(r"<strong>(\d+)</strong> séances? à facturer", html).group(1))


def _home(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    # The cards, without the page's per-response CSRF token.
    return page[page.index("<main"):page.index("</main>")], len(queries)


def test_a_second_home_page_reads_the_cards_from_memory(personas, cached):
    client = personas.client("nadia")
    first, computed = _home(client)
    again, kept = _home(client)
    assert again == first
    assert kept < computed - 3  # the cards' aggregates and audit are not run again


def test_an_audited_write_renews_the_cards_at_the_next_page(personas, cached):
    client = personas.client("nadia")
    before = _waiting(_home(client)[0])
    assert before == invoiceable_seances_for(personas.nadia).count()
    an_entry(day=timezone.localdate() - timedelta(days=1))  # the entry service audits it
    after, _queries = _home(client)
    assert _waiting(after) == before + 1 == invoiceable_seances_for(personas.nadia).count()


def test_each_user_gets_their_own_cards(personas, cached, settings):
    claire = personas.client("claire")
    marc = personas.client("marc")
    _home(claire)
    shown, _queries = _home(marc)
    settings.FIGURES_CACHE_SECONDS = 0
    computed, _queries = _home(marc)
    assert shown == computed


def test_a_logged_read_keeps_the_figures(personas, cached):
    from cabinet.models import Patient

    client = personas.client("nadia")
    _first, computed = _home(client)
    patient = Patient.objects.order_by("pk").first()
    assert client.get(reverse("cabinet:patient_detail", args=[patient.pk])).status_code == 200
    _again, kept = _home(client)
    assert kept < computed - 3


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona, url", [
    ("nadia", "billing:audit_worklist"),
    ("julie", "replacements:my_retrocession"),
    ("nadia", "cabinet:worklist"),
    ("claire", "cooperation:eligible_list"),
])
def test_the_books_pages_keep_their_figures_until_a_write(personas, cached, persona, url):
    client = personas.client(persona)
    url = reverse(url)
    computed = _count(client, url)
    kept = _count(client, url)
    assert kept < computed
    an_entry(day=timezone.localdate() - timedelta(days=1))  # an audited write
    assert _count(client, url) == computed


def test_the_ledger_keeps_its_figures_until_a_write(personas, cached):
    client = personas.client("claire")
    today = timezone.localdate()
    url = reverse("billing:ledger_month", args=[personas.claire.pk, today.year, today.month])
    computed = _count(client, url)
    assert _count(client, url) < computed
    an_entry(day=today - timedelta(days=1))
    assert _count(client, url) == computed


def test_the_audit_worklist_after_a_write_is_the_fresh_one(personas, cached, settings):
    client = personas.client("nadia")
    url = reverse("billing:audit_worklist")
    client.get(url)
    # An audited write: a séance of this week entered without a prescription
    # (an audit finding of its own).
    an_entry(day=timezone.localdate())
    shown = client.get(url).context
    settings.FIGURES_CACHE_SECONDS = 0
    fresh = client.get(url).context
    assert (shown["page"].paginator.count, shown["errors"], shown["warnings"]) == (
        fresh["page"].paginator.count, fresh["errors"], fresh["warnings"])


def test_two_worklist_pages_never_share_their_figures(personas, cached, settings, monkeypatch):
    """A page number past the end shows the last page, one that is not a number
    the first: kept apart, each gives what it gives without the cache."""
    from cabinet.services import worklist

    monkeypatch.setattr(worklist, "PER_PAGE", 1)
    client = personas.client("nadia")
    urls = [reverse("cabinet:worklist") + f"?page_bsi={page}" for page in ("abc", "9" * 12)]
    shown = [client.get(url).context["work"].bsi.number for url in urls]
    settings.FIGURES_CACHE_SECONDS = 0
    assert shown[0] == 1 and shown[1] > 1, "the demo has several BSI due"
    assert shown == [client.get(url).context["work"].bsi.number for url in urls]
