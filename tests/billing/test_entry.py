"""The secretary's act entry (issue 12 item 1): keyboard-first page, live
cotation, the same pricing path as a done visit, FAC-1 billing nurse,
French messages at the field, versioned and audited edits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.forms_entry import patient_option
from billing.models import Seance, SeanceSource, SeanceStatus
from billing.services import pricing
from cabinet.models import Medecin, Patient, Prescription
from core.models import AuditEvent

from .entry_helpers import an_entry

YESTERDAY = timezone.localdate() - timedelta(days=1)


def a_patient(name="Saisie") -> Patient:
    return Patient.objects.create(
        last_name=name, first_name="Test", birth_date=YESTERDAY.replace(year=1940), sex="F",
        address="3 rue Saisie", postcode="37000", city="Tours",
        latitude=Decimal("47.400000"), longitude=Decimal("0.690000"))


def data(who, personas, **overrides):
    body = {
        "patient": patient_option(who), "date": YESTERDAY.isoformat(), "time": "10:00",
        "performed_by": str(personas.claire.pk), "nurse": "", "prescription": "",
        "place": "domicile", "distance_km": "",
        "acts-TOTAL_FORMS": "4", "acts-INITIAL_FORMS": "0", "acts-MIN_NUM_FORMS": "0",
        "acts-MAX_NUM_FORMS": "8", "acts-0-act": "AMI 4", "acts-1-act": "XVI-1-1-SC",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_entry_page_is_in_the_navigation_of_the_secretary_and_titulaires(personas):
    for name in ("nadia", "claire"):
        html = personas.client(name).get(reverse("billing:entry")).content.decode()
        assert 'href="/facturation/saisie/"' in html and 'id="entry-form"' in html
    julie = personas.client("julie").get("/").content.decode()
    assert 'href="/facturation/saisie/"' not in julie


def test_enter_saves_a_priced_seance_and_keeps_nurse_and_date(personas):
    patient = a_patient()
    client = personas.client("nadia")
    response = client.post(reverse("billing:entry"), data(patient, personas))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert f"date={YESTERDAY.isoformat()}" in response["Location"]
    assert f"performed_by={personas.claire.pk}" in response["Location"]
    seance = Seance.objects.get(patient=patient)
    assert seance.source == SeanceSource.ENTRY and seance.visit is None
    assert seance.status == SeanceStatus.PRICED
    assert seance.nurse == seance.performed_by == personas.claire
    assert seance.entered_by == personas.nadia and seance.prescription is None
    # AMI 4 + AMI 1 at 50 % + IFD + MCI (heavy dressing at home)… the engine's lines.
    codes = [ln.code for ln in seance.lines.all()]
    assert codes[:2] == ["AMI", "AMI"] and "IFD" in codes
    assert seance.lines.all()[0].rules == ["NGAP-11B-1"]
    assert AuditEvent.objects.filter(action="seance.entered", object_id=str(seance.pk)).exists()
    assert AuditEvent.objects.filter(action="seance.priced", object_id=str(seance.pk)).exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    form = page.context["form"]
    assert form.initial["date"] == YESTERDAY and form.initial["performed_by"] == personas.claire.pk
    assert "SAISIE Test" in html and "Saisie secrétariat" in html


def test_fac_1_a_remplacant_entry_is_billed_under_the_titulaire(personas):
    patient = a_patient()
    client = personas.client("nadia")
    refused = client.post(reverse("billing:entry"),
                          data(patient, personas, performed_by=str(personas.julie.pk)))
    assert refused.status_code == 400
    assert "titulaire remplacée" in unescape(refused.content.decode())
    client.post(reverse("billing:entry"), data(
        patient, personas, performed_by=str(personas.julie.pk), nurse=str(personas.claire.pk)))
    seance = Seance.objects.get(patient=patient)
    assert seance.nurse == personas.claire and seance.performed_by == personas.julie


def test_bad_input_gets_french_messages_at_the_field(personas):
    patient = a_patient()
    other = a_patient("Autre")
    medecin = Medecin.objects.create(last_name="Martin", first_name="Jean")
    foreign = Prescription.objects.create(patient=other, prescriber=medecin, date=YESTERDAY,
                                          start_date=YESTERDAY, duration_days=10)
    client = personas.client("nadia")
    cases = [
        ({"patient": "zzzzqqq"}, "Aucun patient ne correspond"),
        ({"date": (timezone.localdate() + timedelta(days=2)).isoformat()}, "dans le futur"),
        ({"date": "2001-01-01"}, "Aucun tarif n'est connu avant"),
        ({"acts-0-act": "ZZ 4"}, "Acte inconnu"),
        ({"acts-0-act": "AMI", "acts-1-act": ""}, "Indiquez le coefficient de l'acte AMI"),
        ({"acts-0-act": "", "acts-1-act": ""}, "Saisissez au moins un acte"),
        ({"prescription": str(foreign.pk)}, "n'est pas celle de ce patient"),
        ({"distance_km": "-2"}, "ne peut pas être négative"),
        ({"performed_by": "99999999999999999999999"}, "Infirmier(ère) inconnu(e)"),
    ]
    for overrides, message in cases:
        response = client.post(reverse("billing:entry"), data(patient, personas, **overrides))
        assert response.status_code == 400, overrides
        assert message in unescape(response.content.decode()), (overrides, message)
    assert not Seance.objects.filter(patient=patient).exists()


def test_the_live_cotation_shows_rules_and_warnings_and_keeps_nothing(personas):
    patient = a_patient()
    client = personas.client("nadia")
    before = (Seance.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("billing:entry_preview"),
                           data(patient, personas, time="21:30", urgent_call="on"),
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "NGAP-11B-1" in html and "NUIT" in html and "Total" in html
    assert 'id="id_prescription"' in html and "hx-swap-oob" in html  # the patient's prescriptions
    assert (Seance.objects.count(), AuditEvent.objects.count()) == before
    incomplete = client.post(reverse("billing:entry_preview"),
                             data(patient, personas, **{"acts-0-act": "ZZ"}),
                             HTTP_HX_REQUEST="true")
    assert "Acte inconnu" in unescape(incomplete.content.decode())


def test_prescribed_acts_are_offered_first(personas):
    patient = a_patient()
    medecin = Medecin.objects.create(last_name="Martin", first_name="Jean")
    prescription = Prescription.objects.create(patient=patient, prescriber=medecin,
                                               date=YESTERDAY, start_date=YESTERDAY,
                                               duration_days=10)
    prescription.acts.create(catalogue_id="XVI-1-1-SC", key="AMI", coefficient=1,
                             label="Injection sous-cutanée")
    html = personas.client("nadia").get(reverse("billing:entry_acts"), {
        "acts-0-act": "pansement", "prescription": prescription.pk}).content.decode()
    assert html.strip().startswith('<option value="XVI-1-1-SC">Prescrit')
    patients = personas.client("nadia").get(reverse("billing:entry_patients"),
                                            {"patient": "saisie"}).content.decode()
    assert patient_option(patient) in patients


def test_an_entry_and_a_done_visit_share_one_pricing_path_and_one_list(personas, monkeypatch):
    """The entered passage is priced by price_day → engine.quote_day with the
    nurse's other séances of the day (one IK cap, one BSI forfait a day), and
    a done visit appears in the same list already priced."""
    from cabinet.services import visit_outcome
    from tests.billing.test_seances import AMI1, make_patient, make_visit

    visit_patient = make_patient("Tournee")
    visit = make_visit(visit_patient, personas.claire, [AMI1])
    visit.date = YESTERDAY
    visit.save()
    visit_outcome.mark_done(acting_user=personas.claire, visit=visit,
                              done_at=timezone.make_aware(
                                  timezone.datetime.combine(YESTERDAY, visit.planned_time)))
    calls = []
    real = pricing.engine.quote_day
    monkeypatch.setattr(pricing.engine, "quote_day",
                        lambda passages, *a, **k: calls.append(len(passages)) or real(passages, *a, **k))
    entered = an_entry(day=YESTERDAY, patient=a_patient())
    # The visit's séance and the entry are quoted together, with whatever else
    # claire did that day (the demo's remplaçante works for her this week).
    day_of_claire = (Seance.objects.filter(nurse=personas.claire, date=YESTERDAY,
                                           invoiced_at__isnull=True)
                     .exclude(status=SeanceStatus.CANCELLED))
    assert day_of_claire.filter(pk__in=[entered.pk, visit.seance.pk]).count() == 2
    assert calls and calls[-1] == day_of_claire.count()
    assert entered.status == SeanceStatus.PRICED
    html = personas.client("nadia").get(reverse("billing:entry"),
                                        {"date": YESTERDAY.isoformat()}).content.decode()
    assert "TOURNEE Test" in html and "Passage de tournée" in html
    assert "Saisie secrétariat" in html


def test_an_entered_seance_is_editable_versioned_and_audited_until_invoiced(personas):
    seance = an_entry(day=YESTERDAY)
    client = personas.client("nadia")
    url = reverse("billing:entry_edit", args=[seance.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["row_version"] == 1
    body = data(seance.patient, personas, row_version="1", **{"acts-0-act": "AMI 2",
                                                             "acts-1-act": ""})
    assert client.post(url, body).status_code == 302
    seance.refresh_from_db()
    assert seance.row_version == 2
    assert [ln.code for ln in seance.lines.all()][0] == "AMI"
    assert seance.lines.all()[0].coefficient == Decimal("2.00")
    assert AuditEvent.objects.filter(action="seance.edited", object_id=str(seance.pk)).exists()
    stale = client.post(url, body)  # row_version 1 again: a concurrent edit
    assert stale.status_code == 400 and "modifiée par quelqu'un d'autre" in unescape(
        stale.content.decode())
    Seance.objects.filter(pk=seance.pk).update(invoiced_at=timezone.now())
    body["row_version"] = "2"
    locked = client.post(url, body)
    assert locked.status_code == 400 and "déjà facturée" in unescape(locked.content.decode())


def test_a_visit_seance_is_not_edited_here(personas):
    from tests.billing.test_seances import AMI1, done, make_patient, make_visit

    visit = make_visit(make_patient(), personas.claire, [AMI1])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    assert personas.client("nadia").get(
        reverse("billing:entry_edit", args=[seance.pk])).status_code == 404


def test_cancel_an_entry(personas):
    seance = an_entry(day=YESTERDAY)
    response = personas.client("nadia").post(reverse("billing:entry_cancel", args=[seance.pk]),
                                             {"row_version": "1"})
    assert response.status_code == 302
    seance.refresh_from_db()
    assert seance.status == SeanceStatus.CANCELLED and not seance.lines.exists()


@pytest.mark.parametrize("persona", ["nadia", "claire"])
def test_the_entry_page_stays_flat_as_seances_grow(personas, persona):
    client = personas.client(persona)
    url = reverse("billing:entry") + f"?date={YESTERDAY.isoformat()}"
    an_entry(day=YESTERDAY, patient=a_patient("P0"))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(1, 10):
        an_entry(day=YESTERDAY, patient=a_patient(f"P{i}"), at=YESTERDAY and
                 timezone.datetime.strptime(f"{9 + i}:00", "%H:%M").time())
    with CaptureQueriesContext(connection) as ten:
        html = client.get(url).content.decode()
    assert html.count("Saisie secrétariat") == 10
    assert len(ten.captured_queries) == len(one.captured_queries)
