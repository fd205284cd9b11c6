"""Care plan → visits: idempotent on (care plan, date, slot); a change moves
future planned visits and never touches done ones."""

from datetime import date, time, timedelta

import pytest

from cabinet.models import CarePlan, PrescribedAct, Prescription, Visit
from cabinet.models.visits import VisitStatus
from cabinet.recurrence import RecurrenceError, expand
from cabinet.services.careplans import generate_visits
from tests.cabinet.helpers import a_medecin, claire_patient


@pytest.fixture
def plan(personas):
    today = date(2026, 12, 1)
    patient = claire_patient()
    prescription = Prescription.objects.create(
        patient=patient, prescriber=a_medecin(), date=today, start_date=today, duration_days=30)
    act = PrescribedAct.objects.create(prescription=prescription, key="AMI", label="Injection",
                                       coefficient=1)
    plan = CarePlan.objects.create(
        prescription=prescription, patient=patient, nurse=personas.claire, label="Insuline",
        start_date=today, end_date=today + timedelta(days=29), times=["08:00", "19:00"])
    plan.acts.set([act])
    return plan


def planned_visit(plan, days: int, slot: str, **changes) -> Visit:
    """The plan's visit `days` after its start at `slot`, with `changes` saved
    (what a nurse or the office did to it since it was generated)."""
    visit = Visit.objects.get(care_plan=plan, date=plan.start_date + timedelta(days=days),
                              slot=slot)
    if changes:
        for name, value in changes.items():
            setattr(visit, name, value)
        visit.save()
    return visit


def test_expand_insulin_twice_a_day_for_30_days():
    occ = expand(start=date(2026, 12, 1), end=date(2026, 12, 30), recurrence="daily",
                 times=["08:00", "19:00"])
    assert len(occ) == 60


def test_expand_every_other_day_and_weekdays_only():
    every2 = expand(start=date(2026, 12, 1), end=date(2026, 12, 10), recurrence="every_n_days",
                    interval_days=2, times=["10:00"])
    assert [o.date.day for o in every2] == [1, 3, 5, 7, 9]
    weekdays = expand(start=date(2026, 11, 30), end=date(2026, 12, 6), recurrence="weekdays",
                      weekdays=[1, 2, 3, 4, 5], times=["09:00"])
    assert len(weekdays) == 5 and all(o.date.isoweekday() <= 5 for o in weekdays)


def test_expand_refuses_too_many_visits():
    with pytest.raises(RecurrenceError, match="passages"):
        expand(start=date(2026, 1, 1), end=date(2026, 12, 31), recurrence="daily",
               times=["08:00", "12:00", "19:00"])


def test_generation_is_idempotent(plan, personas):
    today = plan.start_date
    first = generate_visits(acting_user=personas.claire, care_plan=plan, today=today)
    assert first.created == 60
    again = generate_visits(acting_user=personas.claire, care_plan=plan, today=today)
    assert again.created == 0 and again.updated == 0 and again.deleted == 0
    assert Visit.objects.filter(care_plan=plan).count() == 60
    visit = Visit.objects.get(care_plan=plan, date=today, slot="08:00")
    assert visit.window_start == time(7, 30) and visit.window_end == time(8, 30)
    assert visit.acts[0]["key"] == "AMI" and visit.acts[0]["coefficient"] == "1"
    assert visit.nurse == personas.claire


def test_changing_the_plan_moves_future_visits_and_keeps_done_ones(plan, personas):
    start = plan.start_date
    generate_visits(acting_user=personas.claire, care_plan=plan, today=start)
    done = planned_visit(plan, 2, "19:00", status=VisitStatus.DONE)
    moved = planned_visit(plan, 5, "19:00")

    plan.times = ["08:00", "20:00"]
    plan.end_date = start + timedelta(days=9)
    plan.nurse = personas.marc
    plan.save()
    result = generate_visits(acting_user=personas.claire, care_plan=plan,
                             today=start + timedelta(days=2), nurse_changed=True)
    done.refresh_from_db()
    assert done.status == VisitStatus.DONE and done.slot == "19:00"
    assert done.nurse == personas.claire  # untouched
    moved.refresh_from_db()
    assert moved.slot == "20:00" and moved.preferred_time == time(20, 0)
    assert moved.nurse == personas.marc
    # Past planned visits are left alone; beyond the new end they are removed.
    assert Visit.objects.filter(care_plan=plan, date__gt=start + timedelta(days=9)).count() == 0
    assert Visit.objects.filter(care_plan=plan, date=start, slot="19:00").exists()
    assert result.deleted == 40
    # Day 2: 08:00 planned, 19:00 done, and no extra 20:00 visit created on that day.
    assert Visit.objects.filter(care_plan=plan, date=start + timedelta(days=2)).count() == 2


def test_editing_the_plan_keeps_a_handed_over_visit_and_a_duration_set_by_the_nurse(
        plan, personas):
    from cabinet.services.careplans import save_care_plan

    start = plan.start_date
    generate_visits(acting_user=personas.claire, care_plan=plan, today=start)
    handed = planned_visit(plan, 3, "08:00", nurse=personas.julie)
    timed = planned_visit(plan, 4, "08:00", expected_duration_min=35, duration_set_by_nurse=True)

    plan.window_after_min = 60
    plan.duration_min = 20
    save_care_plan(acting_user=personas.claire, care_plan=plan, acts=list(plan.acts.all()),
                   today=start, expected_version=plan.row_version)
    handed.refresh_from_db()
    timed.refresh_from_db()
    assert handed.nurse == personas.julie and handed.window_end == time(9, 0)
    assert timed.expected_duration_min == 35 and timed.window_end == time(9, 0)
    other = Visit.objects.get(care_plan=plan, date=start + timedelta(days=5), slot="08:00")
    assert other.nurse == personas.claire and other.expected_duration_min == 20

    # Naming another nurse on the plan moves every future visit to her.
    plan.nurse = personas.marc
    save_care_plan(acting_user=personas.claire, care_plan=plan, acts=list(plan.acts.all()),
                   today=start, expected_version=plan.row_version)
    handed.refresh_from_db()
    assert handed.nurse == personas.marc


def test_stopping_the_plan_removes_future_planned_visits(plan, personas):
    from cabinet.services.careplans import stop_care_plan

    generate_visits(acting_user=personas.claire, care_plan=plan, today=plan.start_date)
    stop_care_plan(acting_user=personas.claire, care_plan=plan,
                   today=plan.start_date + timedelta(days=10))
    assert Visit.objects.filter(care_plan=plan).count() == 20
