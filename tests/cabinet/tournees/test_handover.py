"""Handing visits to another nurse: one visit from the tournée page ("Confier
à", titulaires only), or a whole day when a nurse is absent (the dispatch
gives her visits to the nurses on duty, a remplaçant among them)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cabinet.models import RoutingProfile, Tournee, Visit
from cabinet.models.visits import VisitStatus
from cabinet.selectors.patients import patients_visible_to
from cabinet.services import planning, visit_outcome
from cabinet.services.tournee_errors import TourneeError
from core.models import AuditEvent

from .helpers import claire_tournee, tomorrow


@pytest.fixture(autouse=True)
def _fast_optimiser(settings):
    settings.ROUTING_TIME_LIMIT_S = 0.3
    settings.ROUTING_DISPATCH_TIME_LIMIT_S = 1.0


def _planned(tournee):
    return list(Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED)
                .order_by("sequence"))


def test_titulaire_hands_a_visit_to_the_remplacant_who_then_runs_it(personas):
    tournee = claire_tournee()
    visit = _planned(tournee)[1]
    julie = personas.julie
    claire = personas.client("claire")
    page = claire.get(reverse("cabinet:tournee_detail", args=[tournee.pk])).content.decode()
    assert "Durée, heure fixe, confier à" in page
    # The visit's form is loaded when its row is opened.
    form = claire.get(reverse("cabinet:visit_plan", args=[visit.pk]),
                      headers={"HX-Request": "true"}).content.decode()
    assert "Confier à" in form and "<html" not in form
    response = claire.post(reverse("cabinet:visit_plan", args=[visit.pk]), {
        "expected_duration_min": str(visit.expected_duration_min), "nurse": str(julie.pk)})
    assert response.status_code == 302
    visit.refresh_from_db()
    target = Tournee.objects.get(nurse=julie, date=tomorrow())
    assert visit.nurse_id == julie.pk and visit.tournee_id == target.pk
    # Both days re-timed: the sequences stay 1..n, every visit has a time.
    for t in (tournee, target):
        visits = list(Visit.objects.filter(tournee=t).exclude(status=VisitStatus.CANCELLED)
                      .order_by("sequence"))
        assert [v.sequence for v in visits] == list(range(1, len(visits) + 1))
        assert all(v.planned_time for v in visits)
    assert visit.pk not in [v.pk for v in _planned(tournee)]
    assert AuditEvent.objects.filter(action="visit.reassign", object_id=str(visit.pk)).exists()
    # The remplaçant sees the patient and the visit on her day, and marks it done.
    assert patients_visible_to(julie).filter(pk=visit.patient_id).exists()
    phone = personas.client("julie")
    day = phone.get(reverse("cabinet:my_day") + f"?jour={tomorrow().isoformat()}")
    assert f'id="visit-{visit.pk}"' in day.content.decode()
    done = phone.post(reverse("cabinet:visit_done", args=[visit.pk]),
                      {"performed": [str(i) for i in range(len(visit.acts))]})
    assert done.status_code == 302
    # Claire no longer runs it.
    assert personas.client("claire").post(
        reverse("cabinet:visit_done", args=[visit.pk]), {"performed": ["0"]}).status_code == 404


def test_remplacant_cannot_hand_her_visits_over(personas):
    tournee = planning.get_or_create_tournee(nurse=personas.julie, day=tomorrow())
    visit = _planned(tournee)[0]
    client = personas.client("julie")
    page = client.get(reverse("cabinet:tournee_detail", args=[tournee.pk])).content.decode()
    assert "Confier à" not in page
    response = client.post(reverse("cabinet:visit_plan", args=[visit.pk]), {
        "expected_duration_min": "20", "nurse": str(personas.claire.pk)})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.nurse_id == personas.julie.pk and visit.expected_duration_min == 20


def test_handing_a_visit_to_a_nurse_without_the_skill_is_refused_at_the_field(personas):
    tournee = claire_tournee()
    visit = _planned(tournee)[0]
    Visit.objects.filter(pk=visit.pk).update(required_skill="picc")
    duration = visit.expected_duration_min
    response = personas.client("claire").post(reverse("cabinet:visit_plan", args=[visit.pk]), {
        "expected_duration_min": str(duration + 10), "required_skill": "picc",
        "nurse": str(personas.marc.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "n&#x27;a pas la compétence « picc »" in html
    # Nothing half-written: the duration change was rolled back with the refusal.
    visit.refresh_from_db()
    assert visit.nurse_id == personas.claire.pk and visit.tournee_id == tournee.pk
    assert visit.expected_duration_min == duration and not visit.duration_set_by_nurse
    RoutingProfile.objects.create(nurse=personas.marc, skills=["picc"])
    planning.reassign_visit(acting_user=personas.claire, visit=visit, nurse=personas.marc)
    visit.refresh_from_db()
    assert visit.nurse_id == personas.marc.pk


def test_a_visit_already_done_is_not_handed_over(personas):
    visit = _planned(claire_tournee())[0]
    visit_outcome.mark_done(acting_user=personas.claire, visit=visit)
    with pytest.raises(TourneeError, match="n'est plus à faire"):
        planning.reassign_visit(acting_user=personas.claire, visit=visit, nurse=personas.julie)


def test_absent_nurse_day_is_given_to_the_nurses_on_duty(personas):
    day = tomorrow()
    claire_day = claire_tournee()
    first, *others = _planned(claire_day)
    visit_outcome.mark_done(acting_user=personas.claire, visit=first)
    client = personas.client("marc")
    response = client.post(reverse("cabinet:tournee_dispatch"), {
        "jour": day.isoformat(), "nurses": [personas.marc.pk, personas.julie.pk],
        "absent": [personas.claire.pk]})
    assert response.status_code == 302
    # Every visit Claire still had to do is now with Marc or Julie, in order.
    for visit in Visit.objects.filter(pk__in=[v.pk for v in others]):
        assert visit.nurse_id in (personas.marc.pk, personas.julie.pk)
        assert visit.tournee.nurse_id == visit.nurse_id and visit.planned_time
    # Claire keeps what she did; her tournée is re-timed without the others.
    assert list(Visit.objects.filter(tournee=claire_day).exclude(
        status=VisitStatus.CANCELLED)) == [first]
    claire_day.refresh_from_db()
    assert claire_day.km_estimated == 0
    event = AuditEvent.objects.filter(action="tournee.dispatch").latest("pk")
    assert event.detail["absent"] == [personas.claire.pk]
    page = client.get(response["Location"]).content.decode()
    assert "passage(s) réparti(s)" in page


def test_dispatch_form_errors_are_shown_at_the_field(personas):
    client = personas.client("claire")
    day = tomorrow().isoformat()
    before = list(Visit.objects.filter(date=tomorrow()).values_list("pk", "nurse_id", "sequence"))
    response = client.post(reverse("cabinet:tournee_dispatch"), {
        "jour": day, "nurses": [personas.marc.pk], "absent": [personas.marc.pk]})
    assert response.status_code == 400
    assert "qui ne soit pas absent(e)" in response.content.decode()
    response = client.post(reverse("cabinet:tournee_dispatch"), {"jour": day})
    assert response.status_code == 400
    assert "Cochez au moins un(e) infirmier(ère) de tournée." in response.content.decode()
    after = list(Visit.objects.filter(date=tomorrow()).values_list("pk", "nurse_id", "sequence"))
    assert after == before


def test_a_nurse_ticked_absent_and_on_duty_is_absent_not_a_400(personas):
    """Issue 16 item 5: ticking « absent(e) » wins over « de tournée » (the
    page's script unticks it; the form reads a page without script the same way)."""
    day = tomorrow()
    others = _planned(claire_tournee())
    response = personas.client("marc").post(reverse("cabinet:tournee_dispatch"), {
        "jour": day.isoformat(), "nurses": [personas.marc.pk, personas.claire.pk],
        "absent": [personas.claire.pk]})
    assert response.status_code == 302
    for visit in Visit.objects.filter(pk__in=[v.pk for v in others]):
        assert visit.nurse_id == personas.marc.pk
