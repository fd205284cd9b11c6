"""The demo data: ~40 patients in Tours, ALD in each state, visits for the
coming four weeks; seeding again changes nothing."""

from datetime import timedelta

from django.utils import timezone

from cabinet import demo
from cabinet.models import Ald, Patient, Visit
from core.models import Cabinet


def test_demo_patients_are_located_in_tours(personas):
    cabinet = Cabinet.current()
    patients = Patient.objects.all()
    assert patients.count() >= 40
    located = [p for p in patients if p.is_located]
    assert len(located) >= 39
    for p in located:
        assert abs(float(p.latitude) - float(cabinet.latitude)) < 0.05
        assert abs(float(p.longitude) - float(cabinet.longitude)) < 0.05
    assert Patient.objects.filter(geocode_status="failed").exists()


def test_demo_alds_cover_every_state(personas):
    states = {ald.status.state for ald in Ald.objects.all()}
    assert {"pending", "deemed_accepted", "accepted", "refused", "draft"} <= states
    assert Ald.objects.filter(procedure="derogatoire").exists()


def test_demo_visits_fill_the_coming_weeks(personas):
    today = timezone.localdate()
    for nurse in (personas.claire, personas.marc, personas.sophie, personas.julie):
        assert Visit.objects.filter(nurse=nurse, date=today + timedelta(days=1)).exists()
    assert Visit.objects.filter(date=today + timedelta(days=27)).exists()


def test_seed_is_idempotent(personas):
    counts = (Patient.objects.count(), Ald.objects.count(), Visit.objects.count())
    demo.seed()
    assert (Patient.objects.count(), Ald.objects.count(), Visit.objects.count()) == counts


def test_seed_on_a_later_day_extends_without_duplicates(personas, monkeypatch):
    later = timezone.localdate() + timedelta(days=5)
    monkeypatch.setattr(demo.timezone, "localdate", lambda: later)
    before = Visit.objects.count()
    demo.seed()
    assert Visit.objects.count() > before
    assert Visit.objects.filter(date=later + timedelta(days=demo.HORIZON_DAYS - 1)).exists()
    counts = Visit.objects.count()
    demo.seed()
    assert Visit.objects.count() == counts
