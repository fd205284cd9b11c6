"""cabinet:visit_act_options — the type-ahead of « Ajouter un acte réalisé »:
the acts of the visit's prescription first, then the catalogue acts matching
the text (the secretary's entry lists them the same way); only the visit's
nurse may ask (foreign → 404, secrétaire → 403); the read is logged."""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from cabinet.acts_catalogue import typed_value
from core.models import AuditEvent

from .helpers import claire_visit


def _options(response) -> list[tuple[str, str]]:
    return [(unescape(v), unescape(label)) for v, label in
            re.findall(r'<option value="([^"]*)">([^<]*)</option>', response.content.decode())]


def test_prescribed_acts_come_first_then_the_catalogue(personas):
    visit = claire_visit()
    prescribed = list(visit.care_plan.prescription.acts.order_by("pk"))
    assert prescribed
    url = reverse("cabinet:visit_act_options", args=[visit.pk])
    client = personas.client("claire")

    on_focus = _options(client.get(url))
    assert [v for v, _ in on_focus] == [typed_value(a) for a in prescribed]
    assert all(label.startswith("Prescrit : ") for _, label in on_focus)

    typed = _options(client.get(url, {"added": "injection sous"}))
    assert typed[:len(prescribed)] == on_focus
    catalogue = typed[len(prescribed):]
    assert "XVI-1-1-SC" in [v for v, _ in catalogue]
    assert all(not label.startswith("Prescrit") for _, label in catalogue)


def test_key_and_coefficient_find_catalogue_acts(personas):
    visit = claire_visit()
    options = _options(personas.client("claire").get(
        reverse("cabinet:visit_act_options", args=[visit.pk]), {"added": "AMI4.1"}))
    assert any(label.startswith("AMI 4,1 — ") for _, label in options)


def test_the_read_is_logged(personas):
    visit = claire_visit()
    personas.client("claire").get(reverse("cabinet:visit_act_options", args=[visit.pk]))
    assert AuditEvent.objects.filter(view="cabinet:visit_act_options",
                                     patient_id=visit.patient_id,
                                     actor=personas.claire).exists()


def test_a_foreign_visit_is_not_found(personas):
    visit = claire_visit()
    response = personas.client("marc").get(reverse("cabinet:visit_act_options", args=[visit.pk]))
    assert response.status_code == 404


def test_the_secretary_is_refused(personas):
    visit = claire_visit()
    response = personas.client("nadia").get(
        reverse("cabinet:visit_act_options", args=[visit.pk]))
    assert response.status_code == 403
