"""`billing:invoice_new`: séances not yet invoiced, for one patient or all
ready séances of a week grouped one invoice per patient and billing nurse."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Invoice, InvoiceStatus

from .invoice_helpers import clean_seance, make_patient

pytestmark = pytest.mark.django_db
URL = reverse("billing:invoice_new")


def test_a_patients_seances_become_one_draft(personas):
    patient = make_patient("Selection")
    a = clean_seance(personas.claire, patient=patient)
    b = clean_seance(personas.claire, patient=patient)
    client = personas.client("nadia")
    page = client.get(URL, {"patient": patient.pk})
    assert {s.pk for s in page.context["patient_seances"]} == {a.pk, b.pk}
    response = client.post(URL + f"?patient={patient.pk}", {"seances": [a.pk, b.pk]})
    invoice = Invoice.objects.get(patient=patient)
    assert response.status_code == 302 and response["Location"].endswith(f"/{invoice.pk}/")
    assert invoice.status == InvoiceStatus.DRAFT and invoice.links.count() == 2
    again = client.get(URL, {"patient": patient.pk})
    assert again.context["patient_seances"] == []


def test_all_ready_seances_of_the_week_one_invoice_per_patient_and_nurse(personas):
    p1, p2 = make_patient("Semaine1"), make_patient("Semaine2")
    clean_seance(personas.claire, patient=p1)
    clean_seance(personas.claire, patient=p1)
    clean_seance(personas.marc, patient=p1)
    clean_seance(personas.claire, patient=p2)
    client = personas.client("nadia")
    page = client.get(URL, {"semaine": "2026-W23"})
    groups = [(g["patient_id"], g["nurse_id"], g["count"]) for g in page.context["week_groups"]]
    assert (p1.pk, personas.claire.pk, 2) in groups and (p1.pk, personas.marc.pk, 1) in groups
    client.post(URL, {"semaine": "2026-W23"})
    assert Invoice.objects.filter(patient__in=[p1, p2]).count() == 3


def test_titulaire_invoices_her_own_and_the_remplacante_cannot(personas):
    mine = clean_seance(personas.claire)
    theirs = clean_seance(personas.marc)
    client = personas.client("claire")
    response = client.post(URL, {"seances": [theirs.pk]})
    assert response.status_code == 302 and not Invoice.objects.filter(
        links__seance=theirs).exists()
    client.post(URL, {"seances": [mine.pk]})
    assert Invoice.objects.filter(links__seance=mine, nurse=personas.claire).exists()
    assert personas.client("julie").get(URL).status_code == 403


def test_bad_input_is_refused_with_a_message(personas):
    client = personas.client("nadia")
    response = client.post(URL, {"seances": ["x", "-1", "99999999999999999999"]}, follow=True)
    assert "Sélectionnez au moins une séance" in response.content.decode()
    assert client.get(URL, {"semaine": "abc", "patient": "zz"}).status_code == 200


def test_constant_queries_at_1x_and_10x(personas):
    client = personas.client("nadia")
    for _ in range(2):
        clean_seance(personas.claire)
    client.get(URL, {"semaine": "2026-W23"})  # the session's first request does one-off work
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"semaine": "2026-W23"})
    for _ in range(20):
        clean_seance(personas.claire)
    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"semaine": "2026-W23"})
    assert len(large) == len(small)
