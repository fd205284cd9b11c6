"""S-DATA-2 for the secretary's entered séances: an edit or a cancellation
that does not say which version of the séance it was opened on (or names a
forged one) is refused like a stale one; the séance is left as it was."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Seance, SeanceStatus

from .entry_helpers import an_entry
from .test_entry import data

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)
REFUSAL = "modifiée par quelqu'un d'autre"
FORGED = [None, "", "abc", "0", "-1", "2", "99999999999999999999"]


def _stored(seance: Seance) -> tuple:
    seance.refresh_from_db()
    return (seance.row_version, seance.status, seance.entry,
            [(ln.code, ln.coefficient) for ln in seance.lines.all()])


@pytest.mark.parametrize("version", FORGED)
def test_s_data_2_an_entry_edit_without_its_version_is_refused(personas, version):
    seance = an_entry(day=YESTERDAY)
    before = _stored(seance)
    body = data(seance.patient, personas, **{"acts-0-act": "AMI 2", "acts-1-act": ""})
    if version is not None:
        body["row_version"] = version
    response = personas.client("nadia").post(reverse("billing:entry_edit", args=[seance.pk]), body)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert REFUSAL in page
    assert _stored(seance) == before


@pytest.mark.parametrize("version", FORGED)
def test_s_data_2_a_cancellation_without_its_version_is_refused(personas, version):
    seance = an_entry(day=YESTERDAY)
    before = _stored(seance)
    body = {} if version is None else {"row_version": version}
    response = personas.client("nadia").post(
        reverse("billing:entry_cancel", args=[seance.pk]), body, follow=True)
    assert REFUSAL in unescape(response.content.decode())
    assert _stored(seance) == before and before[1] != SeanceStatus.CANCELLED


def test_s_data_2_the_entry_edit_page_carries_the_version_it_shows(personas):
    seance = an_entry(day=YESTERDAY)
    Seance.objects.filter(pk=seance.pk).update(row_version=1234)
    page = personas.client("nadia").get(reverse("billing:entry_edit", args=[seance.pk]))
    # Never localised ("1 234" would be refused as forged).
    assert page.content.decode().count('name="row_version" value="1234"') == 2
