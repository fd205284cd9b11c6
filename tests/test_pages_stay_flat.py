"""Pages stay flat as the cabinet's data grows: each list and detail page runs
the same number of SQL queries on the demo data and on ten times its
clinical data (patients, ALDs, assessments, prescriptions, care plans, and
ten times the visits of every tournée of the coming two weeks; see
tests/scale.py).

One test per page (parametrised by URL name). The count at 1x is also capped,
so a page that grows by a query shows here first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabinet.models import Ald, CarePlan, Prescription, Tournee
from cooperation.models import PatientInclusion
from tests.cabinet.helpers import claire_patient
from tests.scale import scale_demo


def _tournee():
    today = timezone.localdate()
    tournee = (Tournee.objects.filter(nurse__username="claire", date__gte=today).order_by("date").first()
               or Tournee.objects.filter(nurse__username="claire").order_by("-date").first())
    return tournee


def _day_of_tournee():
    return {"date": _tournee().date.isoformat()}


PAGES = {
    # url name: (user, kwargs or a function giving them, query string or a function)
    "home": ("claire", None, None),
    "cabinet:patient_list": ("nadia", None, None),
    "cabinet:patient_detail": ("claire", lambda: {"pk": claire_patient().pk}, None),
    "cabinet:patient_access_log": ("admin", lambda: {"pk": claire_patient().pk}, None),
    "cabinet:prescription_detail": (
        "claire", lambda: {"pk": Prescription.objects.filter(patient=claire_patient()).first().pk}, None),
    # The edit pages of a stored record (their read logged once, S-TRACE-1).
    "cabinet:patient_edit": ("claire", lambda: {"pk": claire_patient().pk}, None),
    "cabinet:ald_edit": ("nadia", lambda: {"pk": Ald.objects.order_by("pk").first().pk}, None),
    "cabinet:prescription_edit": (
        "claire", lambda: {"pk": Prescription.objects.filter(patient=claire_patient()).first().pk}, None),
    "cabinet:careplan_edit": (
        "claire", lambda: {"pk": CarePlan.objects.filter(patient=claire_patient()).first().pk}, None),
    "cabinet:medecin_list": ("nadia", None, None),
    "cabinet:worklist": ("nadia", None, None),
    "cabinet:tournee_day": ("nadia", None, _day_of_tournee),
    "cabinet:tournee_detail": ("claire", lambda: {"pk": _tournee().pk}, None),
    "cabinet:tournee_sheet": ("claire", lambda: {"pk": _tournee().pk}, None),
    "cabinet:my_day": ("claire", None, None),
    "cabinet:access_log_index": ("admin", None, None),
    "cooperation:protocol_list": ("claire", None, None),
    "cooperation:protocol_detail": ("claire", lambda: {"protocol_id": "pa-ph"}, None),
    "cooperation:eligible_list": ("claire", None, None),
    "cooperation:patient_eligibility": ("claire", lambda: {"patient_id": claire_patient().pk}, None),
    "cooperation:inclusion_list": ("claire", None, None),
    "cooperation:inclusion_detail": (
        "claire", lambda: {"pk": PatientInclusion.objects.order_by("pk").first().pk}, None),
    "cooperation:adhesion_list": ("nadia", None, None),
    "cooperation:convention_list": ("nadia", None, None),
    "documents:list": ("nadia", None, None),
    "billing:catalogue": ("nadia", None, None),
    "billing:quote": ("nadia", None, None),
}
MAX_QUERIES = 25
# A page allowed more than MAX_QUERIES, with why. The home page gathers one
# card per app within the common ceiling (every role: tests/core/test_home.py).
MAX_QUERIES_PER_PAGE: dict[str, int] = {}


def _url(name: str) -> str:
    _user, kwargs, query = PAGES[name]
    url = reverse(name, kwargs=kwargs() if callable(kwargs) else kwargs)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query())
    return url


def _measure(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), len(response.content)


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker) -> dict:
    """Every page measured on the demo data, then on ten times its clinical
    data, in one transaction rolled back at the end (growing the data once
    for all the pages)."""
    from core.models import User

    results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        clients, urls = {}, {}
        for name, (user, _kwargs, _query) in PAGES.items():
            client = Client()
            client.force_login(User.objects.get(username=user))
            clients[name], urls[name] = client, _url(name)
            client.get(urls[name])  # warm the session
        demo = {name: _measure(clients[name], urls[name]) for name in PAGES}
        scale_demo(9)
        ten = {name: _measure(clients[name], urls[name]) for name in PAGES}
        results = {name: {"demo": demo[name], "ten": ten[name]} for name in PAGES}
        transaction.set_rollback(True)
    return results


# Marked as a database test so that pytest-django runs it with the other
# database tests, before the transactional ones empty the demo tables (tests
# without the database run last).
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_query_count_is_the_same_at_ten_times_the_demo_data(name, measured):
    (demo_queries, demo_size), (ten_queries, ten_size) = measured[name]["demo"], measured[name]["ten"]
    assert demo_queries <= MAX_QUERIES_PER_PAGE.get(name, MAX_QUERIES), (name, demo_queries)
    assert ten_queries == demo_queries, (name, demo_queries, ten_queries, demo_size, ten_size)
    assert demo_size < 300 * 1024, (name, demo_size)


def test_scale_demo_multiplies_the_clinical_data(db):
    from cabinet.models import Patient, Visit

    patients = Patient.objects.filter(is_active=True).count()
    visits = Visit.objects.filter(patient__is_active=True,
                                  date__lte=_tournee().date + dt.timedelta(days=13)).count()
    tournee_visits = _tournee().visits.count()
    added = scale_demo(9)
    assert Patient.objects.filter(is_active=True).count() == 10 * patients
    assert added["Visit"] >= 9 * visits
    assert _tournee().visits.count() == 10 * tournee_visits
