"""cabinet:routing_profile — the nurse's daily break (earliest start, latest
start, duration; optional), refused at the field when incomplete or out of
her day, and handed to the routing solver (`Nurse.breaks`)."""

from __future__ import annotations

from datetime import time
from html import unescape

import pytest
from django.urls import reverse

from cabinet import routing
from cabinet.models import RoutingProfile
from cabinet.selectors.tournees import tournee_visits
from cabinet.services.planning import planned_only
from cabinet.services.routing_adapter import plan_problem, route_nurse, single_options

from .helpers import claire_tournee

DAY = {"shift_start": "07:00", "shift_end": "19:00"}


def _post(client, **fields):
    return client.post(reverse("cabinet:routing_profile"), {**DAY, **fields})


@pytest.mark.parametrize(("fields", "message"), [
    ({"break_earliest": "12:00"}, "Indiquez l'heure au plus tôt, l'heure au plus tard et la durée"),
    ({"break_earliest": "13:00", "break_latest": "12:00", "break_duration": "45"},
     "L'heure au plus tard doit suivre l'heure au plus tôt."),
    ({"break_earliest": "12:00", "break_latest": "13:00", "break_duration": "2"},
     "Au moins 5 minutes."),
    ({"break_earliest": "12:00", "break_latest": "13:00", "break_duration": "600"},
     "Au plus 3 heures."),
    ({"break_earliest": "06:00", "break_latest": "13:00", "break_duration": "45"},
     "La pause doit tenir entre le début et la fin de journée."),
    ({"break_earliest": "12:00", "break_latest": "18:45", "break_duration": "45"},
     "La pause doit tenir entre le début et la fin de journée."),
])
def test_bad_break_refused_at_the_field(personas, fields, message):
    response = _post(personas.client("marc"), **fields)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not RoutingProfile.objects.filter(nurse=personas.marc).exists()


def test_break_saved_shown_and_cleared(personas):
    client = personas.client("marc")
    response = _post(client, break_earliest="12:00", break_latest="13:30", break_duration="45")
    assert response.status_code == 302
    profile = RoutingProfile.objects.get(nurse=personas.marc)
    assert (profile.break_earliest, profile.break_latest, profile.break_duration) == (
        time(12, 0), time(13, 30), 45)
    page = client.get(reverse("cabinet:routing_profile")).content.decode()
    assert 'value="12:00"' in page and 'value="13:30"' in page and 'value="45"' in page
    assert _post(client).status_code == 302
    profile.refresh_from_db()
    assert profile.break_duration is None and profile.break_earliest is None


def test_the_solver_gets_the_break_and_places_it(personas):
    client = personas.client("claire")
    assert _post(client, break_earliest="11:00", break_latest="14:00",
                 break_duration="40").status_code == 302
    tournee = claire_tournee()
    nurse = route_nurse(tournee)
    assert nurse.breaks == (routing.Break(earliest=11 * 60, latest=14 * 60, duration=40),)
    planned = planned_only(list(tournee_visits(tournee)))
    solution = plan_problem(tournee, planned).solve(single_options(0.3), metaheuristic=False)
    (start, end), = solution.routes[tournee.nurse_id].breaks
    assert 11 * 60 <= start <= 14 * 60 and end - start == 40


def test_no_break_without_one_in_the_profile(personas):
    assert route_nurse(claire_tournee()).breaks == ()
