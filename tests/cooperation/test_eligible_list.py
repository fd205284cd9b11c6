"""cooperation:eligible_list — the same number of queries for the demo's
patients and for ten times as many (the adhesions of every médecin traitant
read in one query, the assessments joined to the patients)."""

import re

from django.urls import reverse

from cabinet.models import Patient
from cooperation.models import PatientAssessment
from tests.scale import clone, copies

URL = reverse("cooperation:eligible_list")


def _count(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_eligible_list_query_count_is_the_same_at_ten_times_the_patients(
    personas, django_assert_max_num_queries
):
    """12 queries: session, user, patients with médecin and assessment, the
    inclusions taken, the adhesions, the session save and the savepoints."""
    client = personas.client("claire")
    client.get(URL)  # warm the session
    demo_count, demo_html = _count(client, django_assert_max_num_queries, 12)

    patients = Patient.objects.filter(is_active=True)
    demo_patients = patients.count()
    clones = copies(patients, 9)
    # Each copy has a copy of its original's assessment, when it has one.
    assessments = {a.patient_id: a for a in PatientAssessment.objects.filter(patient__in=patients)}
    PatientAssessment.objects.bulk_create([
        clone(assessments[c.copy_of], patient=c) for c in clones if c.copy_of in assessments
    ])
    assert Patient.objects.filter(is_active=True).count() == 10 * demo_patients

    ten_count, ten_html = _count(client, django_assert_max_num_queries, 12)
    assert ten_count == demo_count
    # The copies are listed as well: the page did read them.
    assert ten_html.count("Recueillir le consentement") > demo_html.count("Recueillir le consentement")


def test_eligible_list_shows_one_page_at_a_time_and_logs_only_that_page(personas):
    """Pages stay flat: at ten times the patients the page lists at most one
    page of proposals, says how many there are in all, and logs (S-TRACE-1)
    the patients it shows, not those of the other pages."""
    from cooperation.views import ELIGIBLE_PAGE_SIZE
    from core.models import AuditEvent

    patients = Patient.objects.filter(is_active=True)
    assessments = {a.patient_id: a for a in PatientAssessment.objects.filter(patient__in=patients)}
    PatientAssessment.objects.bulk_create([
        clone(assessments[c.copy_of], patient=c)
        for c in copies(patients, 30) if c.copy_of in assessments
    ])
    client = personas.client("claire")
    before = AuditEvent.objects.filter(view="cooperation:eligible_list").count()
    html = client.get(URL).content.decode()
    listed = html.count("Recueillir le consentement")
    assert listed == ELIGIBLE_PAGE_SIZE
    assert "Page 1 / " in html
    total = int(re.search(r"(\d+) propositions d'inclusion", html).group(1))
    assert total > ELIGIBLE_PAGE_SIZE
    logged = AuditEvent.objects.filter(view="cooperation:eligible_list").count() - before
    # One row per patient shown (a patient eligible to two protocols is one read).
    assert 0 < logged <= listed
    last = client.get(URL, {"page": 999}).content.decode()
    assert last.count("Recueillir le consentement") == total - ELIGIBLE_PAGE_SIZE * (
        (total - 1) // ELIGIBLE_PAGE_SIZE)
