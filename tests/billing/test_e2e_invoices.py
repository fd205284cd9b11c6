"""In a real browser (headless Chromium): the secretary enters five passages
with the keyboard only on the act entry page, invoices them, sees one audit
error (a passage entered « sans ordonnance », AUD-1), corrects it, validates
the invoices and downloads one PDF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import Invoice, InvoiceStatus, Seance
from cabinet.models import Medecin, Patient, PrescribedAct, Prescription, Tournee
from core.models import User
from documents.models import GeneratedDocument
from tests.e2e import browser_login

pytestmark = pytest.mark.e2e

# In-memory SQLite gives the live server's threads ONE shared connection, and
# this page sends requests at once (the patient type-ahead, the live
# cotation, the form): it runs on PostgreSQL (`.ci/run`, or DATABASE_URL).
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent requests on the live server need a connection per thread (PostgreSQL)")


def _patient(last_name: str, day) -> Patient:
    patient = Patient.objects.create(
        last_name=last_name, first_name="Test", birth_date=day.replace(year=day.year - 80),
        sex="F", address="3 rue Nationale", postcode="37000", city="Tours",
        amo_regime="Régime général", amc_name="Mutuelle du Centre", amc_tiers_payant=True)
    prescription = Prescription.objects.create(
        patient=patient, prescriber=Medecin.objects.order_by("pk").first(),
        date=day - timedelta(days=4), start_date=day - timedelta(days=3), duration_days=30,
        at_home=True)
    PrescribedAct.objects.create(prescription=prescription, key="AMI", coefficient=2,
                                 label="Pansement simple")
    return patient


def _tab_to(page, element_id: str) -> None:
    """Tab until the cursor is in that field (date and time inputs hold a tab
    stop per segment)."""
    for _ in range(12):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _settle(page) -> None:
    """Let the live cotation (400 ms after typing) go and come back."""
    page.wait_for_timeout(700)
    page.wait_for_load_state("networkidle")


_LOG: list = []


def _watch(page) -> None:
    """Keeps what the live cotation sent and got, to tell a failure's story."""
    def on_response(response):
        request = response.request
        if "apercu" in request.url or "preview" in request.url or "saisie" in request.url:
            body = request.post_data or ""
            fields = {k: v for k, v in (p.split("=", 1) for p in body.split("&") if "=" in p)
                      if k in ("patient", "time", "prescription", "prescriptions_for")}
            try:
                oob = "hx-swap-oob" in response.text()
            except Exception:  # noqa: BLE001 - an aborted request has no body
                oob = None
            _LOG.append((request.method, request.url.rsplit("/", 2)[-2], fields, oob))
    page.on("response", on_response)


def _enter(page, *, patient: str, at: str, with_prescription: bool) -> None:
    """One passage, keyboard only: the page opens with the cursor on the
    patient; Tab moves on; Enter saves."""
    page.locator("#id_patient").wait_for()
    errors = page.locator(".field-error, .errors").all_inner_texts()
    assert page.evaluate("document.activeElement.id") == "id_patient", errors
    page.keyboard.type(patient)
    # The patient's prescriptions arrive with the live cotation.
    page.locator("#id_prescription option").nth(1).wait_for(state="attached")
    _tab_to(page, "id_time")  # the date is kept from the previous entry
    page.keyboard.type(at.replace(":", ""))
    _tab_to(page, "id_prescription")  # the nurse is kept too
    if with_prescription:
        page.keyboard.press("ArrowDown")
    _tab_to(page, "id_acts-0-act")
    page.keyboard.type("AMI 2")
    _settle(page)
    # The choice survives the live cotation's answers (none may reset it).
    chosen = page.locator("#id_prescription").input_value()
    assert bool(chosen) == with_prescription, (patient, at, chosen, _LOG[-12:])
    with page.expect_navigation():
        page.keyboard.press("Enter")


@needs_postgresql
def test_secretary_enters_five_passages_invoices_corrects_validates_and_prints(
        browser, live_server, transactional_demo, eager):
    sophie = User.objects.get(username="sophie")
    day = timezone.localdate() - timedelta(days=17)
    day = day - timedelta(days=day.weekday())  # a Monday: no Sunday majoration
    # A day on which sophie has neither a tournée nor a séance in the demo, so
    # that the audit's day checks (AUD-10, AUD-11) see only this test's passages.
    while (Tournee.objects.filter(nurse=sophie, date=day).exists()
           or Seance.objects.filter(performed_by=sophie, date=day).exists()):
        day -= timedelta(days=7)
    _patient("Clavier", day)
    _patient("Touche", day)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _watch(page)
    browser_login(page, live_server, "nadia")

    # Five passages, keyboard only; the next entry keeps the nurse and the date.
    page.goto(f"{live_server.url}/facturation/saisie/?date={day.isoformat()}"
              f"&performed_by={sophie.pk}")
    passages = [("Clavier", "14:00", True), ("Touche", "14:30", True),
                ("Clavier", "15:00", True), ("Touche", "15:30", True),
                ("Clavier", "16:00", False)]  # « sans ordonnance »: the audit will say so
    for name, at, with_prescription in passages:
        _enter(page, patient=name, at=at, with_prescription=with_prescription)
    seances = Seance.objects.filter(patient__last_name__in=("Clavier", "Touche"), date=day)
    assert seances.count() == 5 and {s.performed_by_id for s in seances} == {sophie.pk}
    assert all(s.status == "priced" for s in seances)

    # All ready séances of the week: one invoice per patient and billing nurse.
    page.goto(f"{live_server.url}/facturation/factures/nouvelle/?semaine="
              f"{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}")
    page.get_by_role("button", name="Créer les factures de la semaine").click()
    page.wait_for_url(re.compile(r"/facturation/factures/"))
    clavier = Invoice.objects.get(patient__last_name="Clavier", status=InvoiceStatus.DRAFT)

    # The audit: one error, the passage without prescription (AUD-1).
    page.goto(f"{live_server.url}/facturation/factures/{clavier.pk}/")
    errors = page.locator(".findings.errors-list li")
    shown = errors.all_inner_texts()
    assert len(shown) == 1 and "AUD-1" in shown[0], shown
    assert page.get_by_role("button", name="Valider la facture").is_disabled()

    # Corrected: taken off the draft, its entry reopened, the prescription chosen.
    bad = seances.get(prescription__isnull=True)
    page.locator(f"form[action$='/retirer/{bad.pk}/'] button").click()
    page.wait_for_url(re.compile(rf"/facturation/saisie/{bad.pk}/$"))
    page.locator("#id_prescription").focus()
    page.keyboard.press("ArrowDown")
    page.locator("#id_acts-0-act").focus()
    _settle(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/facturation/saisie/\?date="))
    bad.refresh_from_db()
    assert bad.prescription_id is not None and bad.invoiced_at is None

    # Invoiced again, validated: the draft list validates every draft ticked.
    page.goto(f"{live_server.url}/facturation/factures/nouvelle/?patient={bad.patient_id}")
    page.get_by_role("button", name="Créer la facture").click()
    page.wait_for_url(re.compile(r"/facturation/factures/\d+/$"))
    assert page.locator(".findings.errors-list").count() == 0
    page.goto(f"{live_server.url}/facturation/factures/?etat=brouillon")
    page.get_by_role("button", name="Valider les brouillons cochés").click()
    page.wait_for_load_state("load")
    assert "facture(s) validée(s)" in page.content()
    validated = Invoice.objects.filter(patient__last_name__in=("Clavier", "Touche"),
                                       status=InvoiceStatus.VALIDATED)
    assert validated.count() == 3
    assert not Invoice.objects.filter(patient__last_name__in=("Clavier", "Touche"),
                                      status=InvoiceStatus.DRAFT).exists()

    # One PDF, through the documents pipeline.
    invoice = validated.order_by("pk").first()
    page.goto(f"{live_server.url}/facturation/factures/{invoice.pk}/")
    page.get_by_role("button", name="Facture imprimable (PDF)").click()
    page.wait_for_url(re.compile(r"/documents/\d+/$"))
    document = GeneratedDocument.objects.order_by("-pk").first()
    link = page.get_by_role("link", name="Télécharger le PDF")
    link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert document.kind == "billing_facture" and document.object_id == invoice.pk
    context.close()
