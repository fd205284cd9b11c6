"""In a real browser, at phone width: julie (the remplaçante) logs in, opens her
rétrocession of the current month, reads the figures computed from her acts, and downloads
the statement PDF produced by the documents pipeline."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from documents.models import GeneratedDocument
from documents.typography import amount
from replacements import statements
from replacements.models import Contract
from tests.e2e import browser_login

pytestmark = pytest.mark.e2e


def test_remplacante_reads_her_month_and_downloads_the_statement(browser, live_server,
                                                                  transactional_demo, eager):
    today = timezone.localdate()
    contract = Contract.objects.filter(remplacant__username="julie", titulaire__username="claire",
                                       status="transmis").order_by("-start_at").first()
    start, end = statements.month_bounds(today.year, today.month)
    expected = statements.contract_statement(contract, start, end).totals.retrocession

    page = browser.new_page(viewport={"width": 360, "height": 740})
    browser_login(page, live_server, "julie")
    page.goto(f"{live_server.url}/remplacements/")
    page.get_by_role("link", name="Ma rétrocession").click()
    page.wait_for_url(re.compile(r"/remplacements/retrocession/$"))
    assert page.get_by_role("heading", name=re.compile("mois en cours")).is_visible()
    due = page.locator('[data-total="retrocession"]').first
    assert due.inner_text().replace("\u202f", " ").replace("\xa0", " ") == \
        amount(expected).replace("\u202f", " ").replace("\xa0", " ")
    assert page.get_by_text("seuil micro-BNC").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="Relevé PDF").first.click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    link = page.get_by_role("link", name="Télécharger le PDF")
    link.wait_for(timeout=30_000)
    response = page.context.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.ok and response.body().startswith(b"%PDF")
    document = GeneratedDocument.objects.get(kind="remplacement_releve")
    assert document.status == "ready" and document.requested_by.username == "julie"
    page.close()
