"""cabinet:visit_done — an act done that was not planned is added from
« Ma journée » (« Ajouter un acte réalisé »): it is stored on the visit's
outcome, marked unplanned (and off the prescription, AUD-1), and the séance
is re-priced through the one pricing path (visit → facts → engine.quote_day
→ stored lines); the page tells the new cotation."""

from __future__ import annotations

from datetime import date, time
from html import unescape

import pytest
from django.urls import reverse

from billing.models import Seance, SeanceStatus
from billing.ngap import engine
from billing.services.facts import visit_facts
from cabinet.models import Patient, Visit
from cabinet.models.visits import VisitStatus
from core.formatting import euros
from core.models import Cabinet

from .helpers import claire_visit

# A day no demo séance shares with the visit: its price is its own passage's.
FAR_DAY = date(2031, 3, 5)
PLANNED = [{"catalogue_id": "", "key": "AMI", "coefficient": "1", "label": "Injection",
            "ald_zone": ""}]


def _visit(nurse) -> Visit:
    patient = Patient.objects.filter(latitude__isnull=False).order_by("pk").first()
    return Visit.objects.create(patient=patient, nurse=nurse, date=FAR_DAY,
                                window_start=time(8), window_end=time(12), acts=PLANNED,
                                sequence=1)


def _engine_total(visit: Visit):
    """The visit's price as the engine quotes its passage alone."""
    visit = Visit.objects.select_related("patient", "care_plan__prescription").get(pk=visit.pk)
    return engine.quote_day([visit_facts(visit, Cabinet.current()).passage]).seances[0].total


def _day_page(client) -> str:
    return unescape(client.get(reverse("cabinet:my_day") + f"?jour={FAR_DAY.isoformat()}")
                    .content.decode())


def test_adding_an_unplanned_act_reprices_the_seance(personas):
    visit = _visit(personas.claire)
    client = personas.client("claire")
    url = reverse("cabinet:visit_done", args=[visit.pk])
    assert client.post(url, {"performed": ["0"], "done_time": "08:40"}).status_code == 302
    first_total = Seance.objects.get(visit=visit).total
    # The correction form offers the type-ahead.
    page = _day_page(client)
    assert f'id="id_done_{visit.pk}_added"' in page and f'list="acts-{visit.pk}"' in page

    response = client.post(url, {"performed": ["0"], "added": "AMI4.1"}, follow=True)

    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.performed_acts[0] == PLANNED[0]
    added = visit.performed_acts[1]
    assert (added["key"], added["coefficient"], added["unplanned"]) == ("AMI", "4.1", True)
    assert added["prescribed"] is False
    seance = Seance.objects.get(visit=visit)
    assert seance.status == SeanceStatus.PRICED
    assert ("AMI", 4.1) in {(line.code, float(line.coefficient or 0))
                            for line in seance.lines.all()}
    assert seance.total == _engine_total(visit) and seance.total != first_total
    # The page tells the new cotation, and shows the act as added off the prescription.
    html = unescape(response.content.decode())
    assert "corrigé — cotation" in html and euros(seance.total) in html
    assert "hors ordonnance" in html and "Ajouté(s) : AMI 4.1" in html


def test_a_catalogue_act_is_added_when_marking_the_visit_done(personas):
    visit = _visit(personas.claire)
    response = personas.client("claire").post(
        reverse("cabinet:visit_done", args=[visit.pk]),
        {"performed": ["0"], "added": "XVI-1-1-PVD", "done_time": "08:40"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    assert [a.get("catalogue_id") for a in visit.performed_acts] == ["", "XVI-1-1-PVD"]
    seance = Seance.objects.get(visit=visit)
    assert "XVI-1-1-PVD" in {line.catalogue_id for line in seance.lines.all()}
    assert seance.total == _engine_total(visit)


def test_an_added_act_alone_replaces_the_planned_one(personas):
    # She did another act than the one planned: untick it, add hers.
    visit = _visit(personas.claire)
    response = personas.client("claire").post(
        reverse("cabinet:visit_done", args=[visit.pk]), {"added": "AMI 2", "done_time": "09:00"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert [(a["key"], a["coefficient"]) for a in visit.performed_acts] == [("AMI", "2")]
    assert Seance.objects.get(visit=visit).total == _engine_total(visit)


def test_an_added_act_can_be_unticked_at_the_next_correction(personas):
    visit = _visit(personas.claire)
    client = personas.client("claire")
    url = reverse("cabinet:visit_done", args=[visit.pk])
    client.post(url, {"performed": ["0"], "added": "AMI 4", "done_time": "08:40"})
    with_added = Seance.objects.get(visit=visit).total
    page = _day_page(client)
    assert 'name="unplanned" value="0" checked' in page
    # Kept ticked plus one more.
    client.post(url, {"performed": ["0"], "unplanned": ["0"], "added": "AMI 1"})
    visit.refresh_from_db()
    assert [a["coefficient"] for a in visit.performed_acts] == ["1", "4", "1"]
    # Both unticked: back to the planned act alone.
    client.post(url, {"performed": ["0"]})
    visit.refresh_from_db()
    assert visit.performed_acts == PLANNED
    seance = Seance.objects.get(visit=visit)
    assert seance.total == _engine_total(visit) and seance.total < with_added


def test_an_unknown_act_is_refused_at_the_field_and_nothing_is_lost(personas):
    visit = _visit(personas.claire)
    client = personas.client("claire")
    url = reverse("cabinet:visit_done", args=[visit.pk])
    client.post(url, {"performed": ["0"], "done_time": "08:40"})
    seance = Seance.objects.get(visit=visit)
    total, version = seance.total, seance.row_version

    response = client.post(url, {"performed": ["0"], "added": "ZZZ 9",
                                 "note": "pansement refait"})

    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Acte inconnu : choisissez dans la nomenclature" in html
    # What she typed is still there to correct.
    assert 'value="ZZZ 9"' in html and "pansement refait" in html
    visit.refresh_from_db()
    assert visit.performed_acts == PLANNED and visit.note == ""
    seance.refresh_from_db()
    assert (seance.total, seance.row_version) == (total, version)


def test_a_key_without_coefficient_is_refused_at_the_field(personas):
    visit = _visit(personas.claire)
    response = personas.client("claire").post(
        reverse("cabinet:visit_done", args=[visit.pk]), {"performed": ["0"], "added": "AMI"})
    assert response.status_code == 400
    assert "Indiquez le coefficient de l'acte AMI." in unescape(response.content.decode())
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_an_added_act_on_the_prescription_is_not_flagged(personas):
    visit = claire_visit()
    prescribed = visit.care_plan.prescription.acts.order_by("pk").first()
    typed = prescribed.catalogue_id or f"{prescribed.key} {prescribed.coefficient.normalize()}"
    response = personas.client("claire").post(
        reverse("cabinet:visit_done", args=[visit.pk]),
        {"performed": ["0"], "added": typed, "done_time": "08:40"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.performed_acts[-1]["unplanned"] and visit.performed_acts[-1]["prescribed"]


@pytest.mark.parametrize(("persona", "status"), [
    ("marc", 404),  # another nurse's visit is not found
    ("nadia", 403),  # the secretary may not add an act
], ids=["a_foreign_visit_is_not_found", "the_secretary_may_not_add_an_act"])
def test_only_the_visits_nurse_adds_an_act(personas, persona, status):
    visit = _visit(personas.claire)
    response = personas.client(persona).post(
        reverse("cabinet:visit_done", args=[visit.pk]), {"performed": ["0"], "added": "AMI 1"})
    assert response.status_code == status
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED and not Seance.objects.filter(visit=visit).exists()
