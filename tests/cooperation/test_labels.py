"""Issue 16 item 6: coopération labels that read right."""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from cabinet.models import Patient
from cooperation.patient_facts import facts_for


def _page(personas, name, url):
    response = personas.client(name).get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_an_exclusion_that_does_not_apply_is_not_labelled_rempli(personas):
    patient = Patient.objects.filter(bsi_level="").order_by("pk").first()
    html = _page(personas, "claire", reverse("cooperation:patient_eligibility",
                                             kwargs={"patient_id": patient.pk}))
    assert "exclusion absente" in html or "exclusion à vérifier" in html \
        or "exclusion présente" in html
    for line in html.splitlines():
        if "Exclusion" in line and "<strong>" in line:
            assert ">rempli<" not in line and ">non rempli<" not in line, line


def test_bsi_aucun_on_the_file_is_not_unknown(personas):
    patient = Patient.objects.filter(bsi_level="").order_by("pk").first()
    assert facts_for(patient).patient["has_bsi"] is False


def test_no_blank_dashes_choice_in_the_coopération_forms(personas):
    patient = Patient.objects.order_by("pk").first()
    for url in (reverse("cooperation:adhesion_create"),
                reverse("cooperation:assessment_edit", kwargs={"patient_id": patient.pk})):
        html = _page(personas, "claire", url)
        assert "---------" not in html, url
        assert "— choisir —" in html or "Inconnu" in html


def test_incomplete_evaluations_are_counted_per_patient(personas):
    """« 60 évaluations incomplètes » in a 40-patient cabinet: now per patient."""
    html = _page(personas, "claire", reverse("cooperation:eligible_list"))
    assert "évaluation(s) incomplète(s)" not in html
    found = re.search(r"(\d+) autres? patients? dont l'évaluation est incomplète", html)
    assert found, "the demo has patients whose evaluation is incomplete"
    assert int(found.group(1)) <= Patient.objects.count()
