"""`billing:audit_worklist` (« à vérifier »): every séance of the week with
a finding, for the whole cabinet, filterable by nurse; constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .invoice_helpers import clean_seance, make_patient, make_seance

pytestmark = pytest.mark.django_db
URL = reverse("billing:audit_worklist")


def test_lists_findings_of_the_whole_cabinet_and_filters_by_nurse(personas):
    claire = make_seance(make_patient(), personas.claire, prescription=None)
    marc = make_seance(make_patient(), personas.marc, prescription=None)
    clean = clean_seance(personas.claire)
    client = personas.client("nadia")
    page = client.get(URL, {"semaine": "2026-W23"})
    listed = {row["seance"].pk for row in page.context["page"].object_list}
    assert {claire.pk, marc.pk} <= listed and clean.pk not in listed
    assert "AUD-1" in page.content.decode() and "joindre l&#x27;ordonnance" in page.content.decode()
    filtered = client.get(URL, {"semaine": "2026-W23", "infirmier": personas.marc.pk})
    assert {row["seance"].pk for row in filtered.context["page"].object_list} == {marc.pk}
    own = personas.client("claire").get(URL, {"semaine": "2026-W23"})
    assert marc.pk not in {row["seance"].pk for row in own.context["page"].object_list}


def test_constant_queries_at_1x_and_10x(personas):
    client = personas.client("nadia")
    for _ in range(2):
        make_seance(make_patient(), personas.claire, prescription=None)
    client.get(URL, {"semaine": "2026-W23"})  # the session's first request does one-off work
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"semaine": "2026-W23"})
    for _ in range(20):
        make_seance(make_patient(), personas.claire, prescription=None)
    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"semaine": "2026-W23"})
    assert len(large) == len(small)
