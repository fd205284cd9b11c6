"""In the browser: the secrétaire creates a patient, a prescription (act from
the NGAP list) and a care plan; the visits appear on the patient page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cabinet.models import Patient, Visit
from tests.e2e import browser_login

pytestmark = pytest.mark.e2e


def test_secretary_creates_patient_prescription_and_care_plan(browser, live_server,
                                                               transactional_demo):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    browser_login(page, live_server, "nadia")

    page.goto(f"{live_server.url}/cabinet/patients/")
    page.get_by_role("link", name="Nouveau patient").click()
    page.locator("#id_last_name").fill("Essai")
    page.locator("#id_first_name").fill("Lucie")
    page.locator("#id_birth_date").fill("1968-05-04")
    page.locator("#id_sex").select_option("F")
    page.locator("#id_nir").fill("2 68 05 37 261 555 " + _key("2680537261555"))
    page.locator("#id_address").fill("10 rue Colbert")
    page.locator("#id_postcode").fill("37000")
    page.locator("#id_city").fill("Tours")
    assert page.locator("#id_clinical_notes").count() == 0  # S-AUTHZ-1
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/cabinet/patients/\d+/$"))
    assert "ESSAI Lucie" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Nouvelle ordonnance").click()
    page.locator("#id_prescriber").select_option(index=1)
    page.locator("#id_duration_days").fill("30")
    act = page.locator("#id_acts-0-catalogue_id")
    act.fill("insuline")
    page.locator("#ngap-acts option").first.wait_for(state="attached")
    act.fill("XVI-2-5BIS-INSULINE")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/plans/nouveau/$"))

    page.locator("#id_nurse").select_option(label="Claire Martin")
    page.locator("#id_times_text").fill("08:00, 19:00")
    page.locator("#id_end_date").fill(
        (timezone.localdate() + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/cabinet/patients/\d+/$"))
    assert "passage(s) créé(s)" in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.close()

    patient = Patient.objects.get(last_name="Essai")
    assert Visit.objects.filter(patient=patient, date__gte=timezone.localdate()).count() >= 12


def _key(body: str) -> str:
    from stdnum.fr import nir

    return nir.calc_check_digits(body)
