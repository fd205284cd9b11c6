"""The home cards kept between two writes (core.home): a second home page
reads its figures from memory, any audited write makes the next one compute
them again, and a user never gets another user's cards."""

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
    settings.HOME_CARDS_CACHE_SECONDS = 60
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
    settings.HOME_CARDS_CACHE_SECONDS = 0
    computed, _queries = _home(marc)
    assert shown == computed
