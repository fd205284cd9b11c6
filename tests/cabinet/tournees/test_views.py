"""The tournées pages: planning, before/after figures, htmx reorder,
read-only secrétaire, "Ma journée" (constant number of queries, done and
not-done forms), day sheet, calendar feed and its revocation."""

from __future__ import annotations

from datetime import date, time
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabinet.geocoding import get_geocoder
from cabinet.models import Patient, Visit
from cabinet.models.visits import VisitStatus
from cabinet.selectors import tournees as policy
from cabinet.services import planning
from cabinet.signals import visit_completed

from .helpers import claire_tournee, tomorrow

FAR_DAY = date(2031, 3, 4)


@pytest.fixture(autouse=True)
def _fast_optimiser(settings):
    settings.ROUTING_TIME_LIMIT_S = 0.3
    settings.ROUTING_DISPATCH_TIME_LIMIT_S = 1.0


def _visits_for(nurse, count, day=FAR_DAY):
    patients = list(Patient.objects.filter(latitude__isnull=False).order_by("pk")[:count])
    acts = [{"catalogue_id": "X", "key": "AMI", "coefficient": "1", "label": "Injection",
             "ald_zone": ""}]
    return [
        Visit.objects.create(patient=p, nurse=nurse, date=day, window_start=time(8),
                             window_end=time(12), acts=acts, sequence=i + 1)
        for i, p in enumerate(patients)
    ]


def test_my_day_query_count_does_not_grow_with_visits(personas):
    client = personas.client("claire")
    url = reverse("cabinet:my_day") + f"?jour={FAR_DAY.isoformat()}"
    _visits_for(personas.claire, 3)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert response.status_code == 200 and response.content.count(b'class="visit-card') == 3
    Visit.objects.filter(date=FAR_DAY).delete()
    _visits_for(personas.claire, 12)
    with CaptureQueriesContext(connection) as twelve:
        response = client.get(url)
    assert response.content.count(b'class="visit-card') == 12
    assert len(twelve.captured_queries) == len(three.captured_queries)
    # Done visits carry their correction form: still no query per visit.
    done = Visit.objects.filter(date=FAR_DAY).order_by("pk")[:6]
    Visit.objects.filter(pk__in=[v.pk for v in done]).update(
        status=VisitStatus.DONE, done_at=timezone.now(), actual_duration_min=10)
    with CaptureQueriesContext(connection) as half_done:
        response = client.get(url)
    assert response.content.count(b'id="correct-') == 6
    assert len(half_done.captured_queries) == len(three.captured_queries)


def test_my_day_shows_next_visit_first_with_navigation_links(personas):
    visits = _visits_for(personas.claire, 3)
    patient = visits[0].patient
    Patient.objects.filter(pk=patient.pk).update(door_code="4589B", access_info="Clé chez la voisine")
    response = personas.client("claire").get(
        reverse("cabinet:my_day") + f"?jour={FAR_DAY.isoformat()}")
    html = response.content.decode()
    first = html.index(f'id="visit-{visits[0].pk}"')
    assert "visit-next" in html[first - 80:first]
    assert f"geo:{patient.latitude},{patient.longitude}" in html
    assert f"https://www.openstreetmap.org/?mlat={patient.latitude}" in html
    assert "4589B" in html and "Clé chez la voisine" in html
    assert "Injection" in html
    assert "style=" not in html and "<script>" not in html


def test_mark_done_through_the_page_tells_billing(personas):
    [visit] = _visits_for(personas.claire, 1)
    received = []

    def on_completed(sender, visit, acting_user, **kwargs):
        received.append((visit.pk, acting_user.pk))

    visit_completed.connect(on_completed)
    try:
        response = personas.client("claire").post(
            reverse("cabinet:visit_done", args=[visit.pk]),
            {"performed": ["0"], "done_time": "08:40", "actual_duration_min": "12", "note": "ok"},
        )
    finally:
        visit_completed.disconnect(on_completed)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.done_at.astimezone().time() == time(8, 40)
    assert visit.actual_duration_min == 12 and received == [(visit.pk, personas.claire.pk)]


def test_s_authz_2_a_titulaire_notes_only_her_own_visits(personas):
    # Noting a visit done bills it in that nurse's name: a colleague's visit
    # is not hers to note (not found, nothing billed).
    [visit] = _visits_for(personas.claire, 1)
    response = personas.client("marc").post(
        reverse("cabinet:visit_done", args=[visit.pk]), {"performed": ["0"], "done_time": "08:40"})
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_done_form_errors_are_shown_at_the_field(personas):
    [visit] = _visits_for(personas.claire, 1)
    response = personas.client("claire").post(
        reverse("cabinet:visit_done", args=[visit.pk]),
        {"performed": [], "actual_duration_min": "-3"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cochez au moins un acte réalisé." in html and "Une minute au moins." in html
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_a_visit_planned_without_act_is_marked_done_from_the_page(personas):
    [visit] = _visits_for(personas.claire, 1)
    Visit.objects.filter(pk=visit.pk).update(acts=[])
    client = personas.client("claire")
    page = client.get(reverse("cabinet:my_day") + f"?jour={FAR_DAY.isoformat()}")
    assert "Actes réalisés</legend>" not in page.content.decode()
    response = client.post(reverse("cabinet:visit_done", args=[visit.pk]), {"note": "suivi"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.performed_acts == []


def test_correcting_a_done_visit_from_the_page_bills_it_once(personas):
    from billing.models import Seance, SeanceStatus

    [visit] = _visits_for(personas.claire, 1)
    acts = [{"catalogue_id": "", "key": "AMI", "coefficient": "1", "label": "Injection",
             "ald_zone": ""},
            {"catalogue_id": "", "key": "AMI", "coefficient": "4", "label": "Pansement",
             "ald_zone": ""}]
    Visit.objects.filter(pk=visit.pk).update(acts=acts)
    client = personas.client("claire")
    url = reverse("cabinet:visit_done", args=[visit.pk])
    assert client.post(url, {"performed": ["0", "1"], "done_time": "08:40",
                             "actual_duration_min": "20"}).status_code == 302
    seance = Seance.objects.get(visit=visit)
    first_total = seance.total
    # The correction form starts from what was noted.
    html = client.get(reverse("cabinet:my_day") + f"?jour={FAR_DAY.isoformat()}").content.decode()
    assert f'id="correct-{visit.pk}"' in html and 'value="08:40"' in html
    response = client.post(url, {"performed": ["1"], "actual_duration_min": "15",
                                 "note": "injection reportée"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.performed_acts == [acts[1]] and visit.actual_duration_min == 15
    assert visit.done_at.astimezone().time() == time(8, 40)
    assert Seance.objects.filter(visit=visit).count() == 1
    seance = Seance.objects.get(visit=visit)
    assert seance.status == SeanceStatus.PRICED and seance.total < first_total
    bad = client.post(url, {"performed": [], "actual_duration_min": "0"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Cochez au moins un acte réalisé." in html and "Une minute au moins." in html
    visit.refresh_from_db()
    assert visit.performed_acts == [acts[1]]


def test_not_done_offers_to_replan(personas):
    tournee = claire_tournee()
    visit = Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED).order_by(
        "sequence").first()
    client = personas.client("claire")
    bad = client.post(reverse("cabinet:visit_not_done", args=[visit.pk]), {"reason": "x"})
    assert bad.status_code == 400 and "Choisissez un motif de la liste." in bad.content.decode()
    response = client.post(reverse("cabinet:visit_not_done", args=[visit.pk]),
                           {"reason": "absent", "note": "volets fermés"})
    assert response.status_code == 302 and "replanifier=1" in response["Location"]
    page = client.get(response["Location"])
    assert b"Re-planifier la suite" in page.content
    response = client.post(reverse("cabinet:tournee_replan", args=[tournee.pk]), {})
    assert response.status_code == 302


def test_planning_page_shows_before_after_and_route_picture(personas):
    tournee = claire_tournee()
    client = personas.client("claire")
    response = client.post(reverse("cabinet:tournee_optimise", args=[tournee.pk]))
    assert response.status_code == 302
    html = client.get(reverse("cabinet:tournee_detail", args=[tournee.pk])).content.decode()
    tournee.refresh_from_db()
    assert "Avant" in html and "Après" in html
    assert f"{tournee.km_before}".replace(".", ",") in html or f"{tournee.km_before}" in html
    assert "<svg" in html and 'class="route-svg"' in html
    assert "style=" not in html


def test_move_with_htmx_returns_the_panel(personas):
    tournee = claire_tournee()
    second = Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED).order_by(
        "sequence")[1]
    response = personas.client("claire").post(
        reverse("cabinet:tournee_move", args=[tournee.pk]),
        {"visit": second.pk, "direction": "up"}, HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="tournee-panel"')
    second.refresh_from_db()
    assert second.sequence == 1


def test_secretary_reads_the_planning_but_cannot_change_it(personas):
    tournee = claire_tournee()
    client = personas.client("nadia")
    assert client.get(reverse("cabinet:tournee_detail", args=[tournee.pk])).status_code == 200
    page = client.get(reverse("cabinet:tournee_day") + f"?jour={tomorrow().isoformat()}")
    assert b"Optimiser" not in page.content and b"tournee_dispatch" not in page.content
    assert client.post(reverse("cabinet:tournee_optimise", args=[tournee.pk])).status_code == 403


def test_remplacant_does_not_see_another_nurse_tournee(personas):
    tournee = claire_tournee()
    client = personas.client("julie")
    assert client.get(reverse("cabinet:tournee_detail", args=[tournee.pk])).status_code == 404
    assert client.get(reverse("cabinet:tournee_sheet", args=[tournee.pk])).status_code == 404


def test_day_sheet_is_printable(personas):
    tournee = claire_tournee()
    response = personas.client("claire").get(reverse("cabinet:tournee_sheet", args=[tournee.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "cabinet/tournees.css" in html and "data-print" in html and "<svg" in html
    visits = Visit.objects.filter(tournee=tournee).exclude(status=VisitStatus.CANCELLED)
    assert html.count("<tr>") == visits.count() + 1


def test_ics_feed_by_token_and_revocation(personas):
    client = personas.client("claire")
    client.post(reverse("cabinet:ics_settings"), {"action": "regenerate"})
    token = policy.active_ics_token(personas.claire)
    url = reverse("cabinet:ics_feed", kwargs={"pk": token.pk, "token": token.token})
    page = client.get(reverse("cabinet:ics_settings")).content.decode()
    assert url in page
    anonymous = personas.client(None)
    response = anonymous.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content
    wrong = reverse("cabinet:ics_feed", kwargs={"pk": token.pk, "token": token.token[:-1] + "x"})
    assert anonymous.get(wrong).status_code == 404
    client.post(reverse("cabinet:ics_settings"), {"action": "revoke"})
    assert anonymous.get(url).status_code == 404


def test_ics_regenerate_invalidates_the_old_url(personas):
    client = personas.client("claire")
    client.post(reverse("cabinet:ics_settings"), {"action": "regenerate"})
    old = policy.active_ics_token(personas.claire)
    client.post(reverse("cabinet:ics_settings"), {"action": "regenerate"})
    anonymous = personas.client(None)
    assert anonymous.get(reverse("cabinet:ics_feed", kwargs={
        "pk": old.pk, "token": old.token})).status_code == 404


def test_plan_day_and_dispatch_from_the_planning_page(personas):
    client = personas.client("claire")
    day = tomorrow().isoformat()
    response = client.post(reverse("cabinet:tournee_plan_day"), {"jour": day})
    assert response.status_code == 302
    assert response["Location"] == reverse("cabinet:tournee_detail", args=[claire_tournee().pk])
    response = client.post(reverse("cabinet:tournee_dispatch"), {
        "jour": day, "nurses": [personas.claire.pk, personas.marc.pk, personas.sophie.pk]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "passage(s) réparti(s)" in page


def test_visit_plan_form_sets_precedence_skill_and_refuses_a_cycle(personas):
    tournee = claire_tournee()
    first, second = Visit.objects.filter(tournee=tournee, status=VisitStatus.PLANNED).order_by(
        "sequence")[:2]
    client = personas.client("claire")
    url = reverse("cabinet:visit_plan", args=[second.pk])
    response = client.post(url, {"expected_duration_min": "25", "after_visit": str(first.pk),
                                 "required_skill": "picc", "lateness_cost": "400"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.after_visit_id == first.pk and second.required_skill == "picc"
    assert second.lateness_cost == 400 and second.expected_duration_min == 25
    assert second.duration_set_by_nurse
    # The first may not now follow the second.
    response = client.post(reverse("cabinet:visit_plan", args=[first.pk]), {
        "expected_duration_min": "15", "after_visit": str(second.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    # At the field, right after the list of visits it refers to.
    error = html.index('<p class="field-error" role="alert">Ce passage suit déjà celui-ci')
    select = html.rindex("<select", 0, error)
    assert 'name="after_visit"' in html[select:html.index(">", select)]
    first.refresh_from_db()
    assert first.after_visit_id is None
    bad = client.post(url, {"expected_duration_min": "2", "locked": "on"})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "5 minutes au moins." in html and "Indiquez l&#x27;heure" in html


def test_routing_profile_sets_start_point_hours_and_skills(personas):
    from cabinet.models import RoutingProfile, Tournee

    client = personas.client("marc")
    url = reverse("cabinet:routing_profile")
    bad = client.post(url, {"shift_start": "18:00", "shift_end": "07:00",
                            "start_address": "12 rue Colbert"})
    html = unescape(bad.content.decode())
    assert bad.status_code == 400
    assert "La fin de journée doit suivre le début." in html
    assert "Indiquez l'adresse complète" in html
    assert not RoutingProfile.objects.filter(nurse=personas.marc).exists()
    unknown = client.post(url, {
        "start_address": "3 impasse Inconnue", "start_postcode": "37000", "start_city": "Tours",
        "shift_start": "06:45", "shift_end": "19:30"})
    assert unknown.status_code == 400
    assert "Adresse introuvable" in unescape(unknown.content.decode())
    assert not RoutingProfile.objects.filter(nurse=personas.marc).exists()
    response = client.post(url, {
        "start_label": "Domicile", "start_address": "12 rue Colbert", "start_postcode": "37000",
        "start_city": "Tours", "shift_start": "06:45", "shift_end": "19:30",
        "skills": "PICC, stomie, picc"})
    assert response.status_code == 302
    profile = RoutingProfile.objects.get(nurse=personas.marc)
    assert profile.skills == ["picc", "stomie"] and profile.start_label == "Domicile"
    # Geocoded like a patient's address (offline geocoder by default, S-PRIV-1).
    expected = get_geocoder().geocode(address="12 rue Colbert", postcode="37000", city="Tours")
    assert (profile.start_latitude, profile.start_longitude) == (expected.latitude,
                                                                 expected.longitude)
    page = unescape(client.get(url).content.decode())
    assert 'value="12 rue Colbert"' in page and "adresse localisée" in page
    day = date(2031, 5, 6)
    _visits_for(personas.marc, 2, day=day)
    tournee = planning.get_or_create_tournee(nurse=personas.marc, day=day)
    assert tournee.start_label == "Domicile"
    assert float(tournee.start_latitude) == float(expected.latitude)
    assert tournee.start_time == time(6, 45) and tournee.end_time == time(19, 30)
    assert Tournee.objects.get(pk=tournee.pk).visits.count() == 2


def test_s_input_1_far_days_and_forged_nurse_keys_are_refused(personas):
    """The planning page showed the day before and after ?jour=9999-12-31 (an
    OverflowError), and a nurse key beyond 64 bits crashed the IN query."""
    client = personas.client("claire")
    for day in ("9999-12-31", "0001-01-01"):
        page = client.get(reverse("cabinet:tournee_day"), {"jour": day})
        assert page.status_code == 200
        assert page.context["day"] == tomorrow()
    before = Visit.objects.filter(date=tomorrow()).values_list("pk", "nurse_id").order_by("pk")
    before = list(before)
    far = client.post(reverse("cabinet:tournee_dispatch"),
                      {"jour": "9999-12-31", "nurses": [personas.claire.pk]})
    assert far.status_code == 400
    assert "Date invraisemblable" in far.content.decode()
    forged = client.post(reverse("cabinet:tournee_dispatch"),
                         {"jour": tomorrow().isoformat(), "nurses": ["99999999999999999999"]})
    assert forged.status_code == 400
    assert "n’est pas une valeur correcte" in forged.content.decode()
    assert list(Visit.objects.filter(date=tomorrow()).values_list("pk", "nurse_id")
                .order_by("pk")) == before
