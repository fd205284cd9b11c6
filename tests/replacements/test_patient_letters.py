"""The letters telling patients who replaces their nurse, and when (R-REPL-34): the
cabinet's batch letter reads the titulaire's contract through the lookup the replacements
app registers; the replacements app's own letter reads its contract directly."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.utils import timezone

from cabinet import letters
from cabinet.models import Patient
from documents.context import freeze
from documents.rendering import render_html
from documents.services import letterhead
from replacements import documents as docs
from replacements.models import PatientNotice
from replacements.statements import contract_span

from .conftest import make_contract

pytestmark = pytest.mark.django_db


def _html(template: str, data: dict) -> str:
    frozen = freeze({"cabinet": letterhead(), "data": data})
    return unescape(render_html(template, frozen, {"requested_at": timezone.now()}))


def _patient_of(titulaire) -> Patient:
    patient = Patient.objects.filter(is_active=True).order_by("pk").first()
    Patient.objects.filter(pk=patient.pk).update(referent_nurse=titulaire)
    patient.refresh_from_db()
    return patient


def test_r_repl_34_cabinet_letter_names_the_remplacante_and_the_contract_dates(parties):
    """A contract signed (five days before its start, make_contract) for a replacement to come."""
    tit, rem = parties
    start = timezone.localdate() + dt.timedelta(days=4)
    contract = make_contract(tit, rem, start=start, days=14)
    first, last = contract_span(contract)
    assert first == start
    data = letters.patient_letter_context(_patient_of(tit))
    assert data["remplacant"] == rem.get_full_name()
    assert (data["replacement_start"], data["replacement_end"]) == (first, last)
    html = _html(letters.TEMPLATE, data)
    assert f"Du {first:%d/%m/%Y} au {last:%d/%m/%Y}, {tit.get_full_name()} sera absent(e)" in html
    assert f"{rem.get_full_name()}, infirmier(ère) remplaçant(e)" in html


def test_r_repl_34_the_current_replacement_is_announced_before_the_next(parties):
    tit, rem = parties
    today = timezone.localdate()
    # make_contract signs five days before the start: no later than yesterday.
    make_contract(tit, rem, start=today + dt.timedelta(days=3), days=5)
    current = make_contract(tit, rem, start=today - dt.timedelta(days=2), days=3)
    data = letters.patient_letter_context(_patient_of(tit))
    assert (data["replacement_start"], data["replacement_end"]) == contract_span(current)


def test_cabinet_letter_without_a_signed_contract_stays_general(parties):
    tit, rem = parties
    make_contract(tit, rem, start=timezone.localdate() + dt.timedelta(days=4), days=14,
                  sign=False)
    data = letters.patient_letter_context(_patient_of(tit))
    assert data["remplacant"] == "" and data["replacement_start"] is None
    html = _html(letters.TEMPLATE, data)
    assert f"Pendant les absences de {tit.get_full_name()}" in html
    assert rem.get_full_name() not in html


def test_r_repl_34_replacements_letter_names_the_remplacante_and_the_contract_dates(parties):
    tit, rem = parties
    contract = make_contract(tit, rem, start=timezone.localdate() + dt.timedelta(days=4),
                             days=14)
    notice = PatientNotice.objects.create(contract=contract, patient=_patient_of(tit))
    first, last = contract_span(contract)
    html = _html("documents/pdf/generic_letter.html", docs.patient_letter_context(notice))
    assert f"Du {first:%d/%m/%Y} au {last:%d/%m/%Y}, {tit.get_full_name()} sera absent(e)" in html
    assert f"{rem.get_full_name()}, infirmier(ère) diplômé(e)" in html
