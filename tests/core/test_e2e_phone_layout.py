"""On a 360 px phone, the main pages never scroll sideways: wide tables scroll
inside their `.table-wrap`, long strings (SHA-256) wrap."""

import pytest
from django.urls import reverse

from cabinet.models import Patient
from cabinet.models.visits import Tournee
from documents.models import GeneratedDocument, Status
from tests.e2e import browser_login

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
