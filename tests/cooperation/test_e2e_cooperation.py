"""In a real browser, at phone width: a nurse opens an eligible patient, records the
consent, plans and records a monthly follow-up, and the doctor's report PDF is produced."""

from __future__ import annotations

import re

import pytest

from cabinet.models import Patient
from cooperation.models import DelegatedAct, PatientInclusion
from documents.models import GeneratedDocument
from tests.e2e import browser_login

pytestmark = pytest.mark.e2e


def test_nurse_includes_a_patient_and_sends_the_report(browser, live_server, transactional_demo,
                                                       eager):
    faure = Patient.objects.get(last_name="Faure", first_name="Marguerite")
    page = browser.new_page(viewport={"width": 360, "height": 740})
    browser_login(page, live_server, "claire")

    # The list of eligible patients not yet included leads to the patient's panel.
    page.goto(f"{live_server.url}/cooperation/eligibles/")
    page.get_by_role("link", name="FAURE Marguerite").first.click()
    page.wait_for_url(re.compile(rf"/cooperation/patients/{faure.pk}/$"))
    assert page.get_by_text("R-PAPH-3").first.is_visible()
    assert page.locator(".badge.ok", has_text="Éligible").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # phone width

    # Information and consent (R-COOP-3).
    page.get_by_role("link", name="Informer et recueillir le consentement").click()
    page.get_by_label("Le patient consent à sa prise en charge dans le protocole").check()
    page.get_by_role("button", name="Enregistrer la réponse du patient").click()
    page.wait_for_url(re.compile(r"/cooperation/inclusions/\d+/$"))
    assert page.locator(".message.success", has_text="Consentement enregistré").is_visible()
    inclusion = PatientInclusion.objects.get(patient=faure, protocol="pa-ph")
    assert inclusion.consent and inclusion.consent_recorded_by.username == "claire"

    # Monthly follow-up planned in the tournées, then the consultation recorded.
    page.get_by_role("link", name="Planifier le suivi mensuel").click()
    page.get_by_role("button", name="Ajouter aux tournées").click()
    page.wait_for_url(re.compile(r"/cooperation/inclusions/\d+/$"))
    assert inclusion.follow_up_visits.count() == 12
    page.get_by_role("link", name="Enregistrer la consultation").first.click()
    page.get_by_label("Constatations et mesures").fill("TA 128/76, marche avec déambulateur.")
    page.locator("#id_decision").select_option("Évaluation globale sans modification")
    page.get_by_role("button", name="Enregistrer l'acte").click()
    page.wait_for_url(re.compile(r"/cooperation/actes/\d+/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    act = DelegatedAct.objects.get(inclusion=inclusion)
    assert act.act_code == "suivi-mensuel" and act.nurse.username == "claire"

    # The report to the doctor, through the documents pipeline.
    page.get_by_role("button", name="Compte rendu au médecin (PDF)").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    download = page.get_by_role("link", name="Télécharger le PDF")
    download.wait_for(timeout=30_000)
    response = page.context.request.get(f"{live_server.url}{download.get_attribute('href')}")
    assert response.ok
    assert response.body().startswith(b"%PDF")
    document = GeneratedDocument.objects.get(kind="cooperation_compte_rendu_medecin",
                                             object_id=act.pk)
    assert document.status == "ready"
    page.close()
