"""On a 360 px phone, the main pages never scroll sideways: wide tables scroll
inside their `.table-wrap`, long strings (SHA-256) wrap."""

import pytest
from django.urls import reverse

from cabinet.models import Patient
from cabinet.models.visits import Tournee
from documents.models import GeneratedDocument, Status
from tests.e2e import browser_login, save_screenshot

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def _assert_fits(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
    assert response.status == 200, path
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide"


def test_main_pages_fit_a_phone(browser, live_server, transactional_demo):
    claire = transactional_demo.claire
    patient = Patient.objects.order_by("pk").first()
    tournee = Tournee.objects.filter(nurse=claire).order_by("date").first()
    document = GeneratedDocument.objects.filter(status=Status.READY).order_by("pk").first()
    assert patient and tournee and document

    page = browser.new_page(viewport=PHONE)
    browser_login(page, live_server, "claire")
    for path in (
        reverse("cabinet:patient_detail", args=[patient.pk]),
        reverse("cabinet:my_day"),
        reverse("cabinet:tournee_sheet", args=[tournee.pk]),
        reverse("billing:quote"),
        reverse("documents:detail", args=[document.pk]),
    ):
        _assert_fits(page, live_server, path)
    page.close()

    page = browser.new_page(viewport=PHONE)
    browser_login(page, live_server, "nadia")
    for path in (reverse("cabinet:patient_list"), reverse("cabinet:worklist"),
                 reverse("billing:quote")):
        _assert_fits(page, live_server, path)
    page.close()


def test_cotation_amounts_and_totals_are_visible_on_a_360_px_phone(
    browser, live_server, transactional_demo
):
    page = browser.new_page(viewport=PHONE)
    browser_login(page, live_server, "nadia")
    page.goto(f"{live_server.url}{reverse('billing:quote')}")
    page.fill("#id_date", "2026-03-10")
    page.fill("#id_time", "10:00")
    page.fill("#id_distance_km", "1.5")
    page.fill("#id_birth_date", "1948-05-12")
    page.select_option("#id_acts-0-key", "AMI")
    page.fill("#id_acts-0-coefficient", "4")
    page.select_option("#id_acts-0-nature", "pansement_lourd_complexe")
    page.get_by_role("button", name="Coter").click()
    page.wait_for_selector("#quote-result")
    amounts = page.locator("#quote-result td.amount")
    assert amounts.count() >= 4
    for index in range(amounts.count()):
        cell = amounts.nth(index)
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        # Within the screen, with no sideways scroll of the page or of the table.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert "€" in page.locator("#quote-total").inner_text()
    assert page.evaluate(
        "document.querySelector('#quote-result .table-wrap').scrollWidth"
        " <= document.querySelector('#quote-result .table-wrap').clientWidth")
    page.locator("#quote-result").scroll_into_view_if_needed()
    save_screenshot(page, "cotation-phone")
    page.close()
