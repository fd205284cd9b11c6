"""Tournées on the demo data: optimisation and its report, locked visits,
idempotent re-optimisation, move/revert, dispatch, learned durations, the
done / not-done flow and its hand-off to billing (signals)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from cabinet.models import Tournee, Visit
from cabinet.models.visits import VisitStatus
from cabinet.selectors import tournees as policy
from cabinet.services import calendar_feed, dispatch, planning, routing_adapter, visit_outcome
from cabinet.services.tournee_errors import TourneeError
from cabinet.signals import visit_completed, visit_reopened
from core.models import AuditEvent

from .helpers import claire_tournee, tomorrow

FAST = 0.3


@pytest.fixture
def signals_received():
    received = []

    def on_completed(sender, visit, acting_user, **kwargs):
        received.append(("completed", visit.pk, acting_user.username))

    def on_reopened(sender, visit, acting_user, **kwargs):
        received.append(("reopened", visit.pk, acting_user.username))

    visit_completed.connect(on_completed)
    visit_reopened.connect(on_reopened)
    yield received
    visit_completed.disconnect(on_completed)
    visit_reopened.disconnect(on_reopened)


def _planned(tournee):
    return list(Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED)
                .order_by("sequence"))


def test_demo_tournees_are_built_and_optimised(personas):
    tournee = claire_tournee()
    visits = _planned(tournee)
    assert visits and [v.sequence for v in visits] == list(range(1, len(visits) + 1))
    assert all(v.planned_time for v in visits)
    assert tournee.optimised_at and tournee.km_estimated is not None
    assert tournee.km_before is not None and tournee.km_estimated <= tournee.km_before
    assert Tournee.objects.filter(date=tomorrow()).count() >= 3


def test_optimise_records_before_after_and_is_idempotent(personas):
    tournee = claire_tournee()
    first = planning.optimise_tournee(acting_user=personas.claire, tournee=tournee,
                                     time_limit_s=FAST)
    order = [v.pk for v in _planned(tournee)]
    times = [v.planned_time for v in _planned(tournee)]
    tournee.refresh_from_db()
    assert tournee.previous_order and tournee.km_before is not None
    again = planning.optimise_tournee(acting_user=personas.claire, tournee=tournee,
                                     time_limit_s=FAST)
    assert [v.pk for v in _planned(tournee)] == order
    assert [v.planned_time for v in _planned(tournee)] == times
    assert again.solution.status in ("kept", "relaxed")
    assert again.solution.cost == first.solution.cost
    assert AuditEvent.objects.filter(action="tournee.optimise", actor=personas.claire).count() == 2


def test_locked_visit_keeps_its_time_through_optimisation(personas):
    tournee = claire_tournee()
    visit = _planned(tournee)[-1]
    planning.set_visit_plan(acting_user=personas.claire, visit=visit,
                           expected_duration_min=visit.expected_duration_min, locked=True,
                           locked_time=time(12, 40))
    planning.optimise_tournee(acting_user=personas.claire, tournee=tournee, time_limit_s=FAST)
    visit.refresh_from_db()
    assert visit.locked and visit.planned_time == time(12, 40)
    assert visit.tournee_id == tournee.pk and visit.late_minutes == 0


def test_infeasible_hard_windows_are_reported_with_the_delay(personas):
    tournee = claire_tournee()
    a, b = _planned(tournee)[:2]
    # Same 5-minute hard window, both 30 minutes long: one of them is late.
    Visit.objects.filter(pk__in=[a.pk, b.pk]).update(
        window_start=time(9, 0), window_end=time(9, 5), hard_window=True,
        expected_duration_min=30, duration_set_by_nurse=True, preferred_time=None)
    result = planning.optimise_tournee(acting_user=personas.claire, tournee=tournee,
                                      time_limit_s=FAST)
    assert result.solution.status == "relaxed"
    late = {x.stop_id: x.minutes for x in result.solution.late if x.kind == "window"}
    assert late.keys() & {a.pk, b.pk}
    for pk, minutes in late.items():
        visit = Visit.objects.get(pk=pk)
        assert visit.late_minutes == minutes >= 25
        planned = visit.planned_time.hour * 60 + visit.planned_time.minute
        end = visit.window_end.hour * 60 + visit.window_end.minute
        assert planned - end == minutes


def test_move_up_down_then_revert(personas):
    tournee = claire_tournee()
    planning.optimise_tournee(acting_user=personas.claire, tournee=tournee, time_limit_s=FAST)
    optimised = [v.pk for v in _planned(tournee)]
    tournee.refresh_from_db()
    before = list(tournee.previous_order)
    second = Visit.objects.get(pk=optimised[1])
    planning.move_visit(acting_user=personas.claire, tournee=tournee, visit=second, direction="up")
    moved = [v.pk for v in _planned(tournee)]
    assert moved[:2] == [optimised[1], optimised[0]] and moved[2:] == optimised[2:]
    with pytest.raises(TourneeError):
        planning.move_visit(acting_user=personas.claire, tournee=tournee,
                           visit=Visit.objects.get(pk=moved[0]), direction="up")
    planning.revert_tournee(acting_user=personas.claire, tournee=tournee)
    assert [v.pk for v in _planned(tournee)] == before
    tournee.refresh_from_db()
    assert tournee.previous_order == [] and tournee.km_estimated is not None


def test_learned_duration_is_the_mean_of_the_last_five(personas):
    tournee = claire_tournee()
    visit = _planned(tournee)[0]
    past_day = timezone.localdate() - timedelta(days=30)
    for i, minutes in enumerate([10, 20, 30, 40, 50, 90]):  # the 90 is the oldest: ignored
        Visit.objects.create(
            patient=visit.patient, date=past_day - timedelta(days=i), window_start=time(8),
            window_end=time(9), acts=visit.acts, status=VisitStatus.DONE,
            actual_duration_min=minutes, nurse=personas.claire,
            done_at=timezone.now() - timedelta(days=30 + i),
        )
    assert routing_adapter.learned_durations([visit])[visit.pk] == 30
    planning.optimise_tournee(acting_user=personas.claire, tournee=tournee, time_limit_s=FAST)
    visit.refresh_from_db()
    assert visit.expected_duration_min == 30
    # A duration set by the nurse is hers.
    planning.set_visit_plan(acting_user=personas.claire, visit=visit, expected_duration_min=12,
                           locked=False, locked_time=None)
    planning.optimise_tournee(acting_user=personas.claire, tournee=tournee, time_limit_s=FAST)
    visit.refresh_from_db()
    assert visit.expected_duration_min == 12


def test_dispatch_assigns_unassigned_visits_with_balance(personas):
    day = tomorrow()
    nurses = [personas.claire, personas.marc, personas.sophie]
    visits = list(Visit.objects.filter(date=day, status=VisitStatus.PLANNED,
                                       nurse__in=nurses))
    Visit.objects.filter(pk__in=[v.pk for v in visits]).update(nurse=None, tournee=None,
                                                              sequence=None)
    result = dispatch.dispatch_day(acting_user=personas.claire, day=day, nurses=nurses,
                                  time_limit_s=2.0)
    assert result.assigned == len(visits)
    assert not Visit.objects.filter(pk__in=[v.pk for v in visits], nurse__isnull=True).exists()
    works = []
    for tournee in Tournee.objects.filter(date=day, nurse__in=nurses):
        mine = _planned(tournee)
        assert all(v.nurse_id == tournee.nurse_id for v in mine)
        works.append(sum(v.expected_duration_min for v in mine) + (tournee.drive_minutes or 0))
    assert len(works) == 3 and min(works) > 0
    assert max(works) - min(works) <= 0.5 * max(works)


def test_dispatch_keeps_assigned_visits_with_their_nurse(personas):
    day = tomorrow()
    nurses = [personas.claire, personas.marc, personas.sophie]
    before = dict(Visit.objects.filter(date=day, nurse__in=nurses).values_list("pk", "nurse_id"))
    dispatch.dispatch_day(acting_user=personas.claire, day=day, nurses=nurses, time_limit_s=1.0)
    after = dict(Visit.objects.filter(pk__in=before).values_list("pk", "nurse_id"))
    assert after == before


def test_done_sends_visit_completed_once_per_change_and_reopen(personas, signals_received):
    visit = _planned(claire_tournee())[0]
    visit_outcome.mark_done(acting_user=personas.claire, visit=visit, performed=[0], note="RAS",
                      actual_duration_min=14)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.performed_acts == visit.acts[:1]
    assert visit.actual_duration_min == 14 and visit.done_at
    # Editing a done visit sends the signal again (billing updates, never bills twice).
    visit_outcome.mark_done(acting_user=personas.claire, visit=visit, performed=[0], note="corrigé")
    assert signals_received == [("completed", visit.pk, "claire")] * 2
    visit_outcome.mark_not_done(acting_user=personas.claire, visit=visit, reason="hospitalise")
    assert signals_received[-1] == ("reopened", visit.pk, "claire")
    visit.refresh_from_db()
    assert visit.status == VisitStatus.NOT_DONE and visit.performed_acts == []
    visit_outcome.reopen_visit(acting_user=personas.claire, visit=visit)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert len(signals_received) == 3  # a not-done visit reopened: nothing to unbill
    assert AuditEvent.objects.filter(action__in=["visit.done", "visit.edit_done",
                                                 "visit.not_done", "visit.reopen"],
                                     object_id=str(visit.pk)).count() == 4


def test_done_inside_the_transaction_rolls_back_with_a_failing_receiver(personas):
    visit = _planned(claire_tournee())[0]

    def broken(sender, **kwargs):
        raise RuntimeError("billing down")

    visit_completed.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            visit_outcome.mark_done(acting_user=personas.claire, visit=visit)
    finally:
        visit_completed.disconnect(broken)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_done_with_no_act_is_refused(personas):
    visit = _planned(claire_tournee())[0]
    with pytest.raises(TourneeError):
        visit_outcome.mark_done(acting_user=personas.claire, visit=visit, performed=[])
    with pytest.raises(TourneeError):
        visit_outcome.mark_done(acting_user=personas.claire, visit=visit, performed=[99])
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_replan_rest_of_day_from_the_last_visit(personas):
    tournee = claire_tournee()
    visits = _planned(tournee)
    visit_outcome.mark_not_done(acting_user=personas.claire, visit=visits[0], reason="absent")
    solution = planning.replan_rest_of_day(acting_user=personas.claire, tournee=tournee,
                                          time_limit_s=FAST)
    rest = _planned(tournee)
    assert len(rest) == len(visits) - 1
    assert [v.sequence for v in rest] == list(range(2, len(visits) + 1))
    assert sorted(solution.order(personas.claire.pk)) == sorted(v.pk for v in rest)
    settled = Visit.objects.get(pk=visits[0].pk)
    assert settled.sequence == 1


def test_ics_token_regenerate_and_revoke(personas):
    first = calendar_feed.regenerate_ics_token(acting_user=personas.claire, nurse=personas.claire)
    second = calendar_feed.regenerate_ics_token(acting_user=personas.claire, nurse=personas.claire)
    first.refresh_from_db()
    assert first.revoked_at and second.is_active and first.token != second.token
    assert policy.active_ics_token(personas.claire) == second
    calendar_feed.revoke_ics_token(acting_user=personas.claire, nurse=personas.claire)
    assert policy.active_ics_token(personas.claire) is None


def test_ics_calendar_lists_the_nurse_visits(personas):
    body = calendar_feed.ics_calendar(personas.claire)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    visit = _planned(claire_tournee())[0]
    assert f"UID:visit-{visit.pk}@" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert visit.patient.clinical_notes == "" or visit.patient.clinical_notes not in body
