"""In a real browser, at phone width, a titulaire opens her month's ledger,
sees the charts and downloads the CSV of her receipts (LED-1…3)."""

import csv
import io

import pytest
from django.urls import reverse

from tests.e2e import browser_login

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def test_led_1_titulaire_reads_her_month_on_a_phone_and_downloads_the_csv(
        browser, live_server, transactional_demo):
    page = browser.new_page(viewport=PHONE, accept_downloads=True)
    browser_login(page, live_server, "claire")
    page.goto(f"{live_server.url}{reverse('billing:ledger')}", wait_until="networkidle")
    assert "Livre des recettes" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and 0 < box["width"] <= PHONE["width"]
    with page.expect_download() as info:
        page.get_by_role("link", name="Recettes (CSV)").click()
    download = info.value
    assert download.suggested_filename.startswith("recettes-claire-")
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][:3] == ["date", "payeur_type", "payeur"]
    page.close()
