"""S-DATA-2: concurrent edits of the same record never silently overwrite each other.

For every record edited through a form: two people open the edit page, the
first saves, the second saves the page she opened before (the old version)
and is refused with a French message at the top of her form, which keeps
what she typed; the database holds the first edit. A POST without the
version (or with a forged one) is refused the same way and writes nothing."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse

from cabinet.models import Medecin
from cooperation.models import Adhesion, PatientAssessment, ThirdPartyConvention
from core.models import AuditEvent
from tests.cabinet.helpers import claire_ald, claire_care_plan, claire_patient, claire_prescription

pytestmark = pytest.mark.django_db

REFUSAL = "modifiée par quelqu'un d'autre"


def _field_data(form) -> dict:
    """What the browser would send for `form` as rendered (its values, or the
    ones the user typed when the form is bound)."""
    data: dict = {}
    for bound in form:
        field = bound.field
        if getattr(field.widget, "input_type", "") == "file":
            continue
        value = bound.value()
        if isinstance(value, bool) or field.widget.__class__.__name__ == "CheckboxInput":
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
            continue
        if isinstance(value, date):
            value = value.isoformat()
        data[bound.html_name] = "" if value is None else value
    return data


def page_data(response) -> dict:
    """The POST data of the edit page in `response` (its form and, for a
    prescription, its formset of acts)."""
    data = _field_data(response.context["form"])
    formset = response.context.get("formset")
    if formset is not None:
        data.update(_field_data(formset.management_form))
        for form in formset.forms:
            data.update(_field_data(form))
    return data


def resend(client, url: str, **changes):
    """Open the edit page at `url` and send it back as opened, with `changes`."""
    return client.post(url, {**page_data(client.get(url)), **changes})


@dataclass
class Case:
    name: str
    url: Callable[[], str]
    obj: Callable[[], object]
    field: str  # a text field both users change
    first: str = "claire"
    second: str = "nadia"


def _convention():
    return ThirdPartyConvention.objects.order_by("pk").first()


def _adhesion():
    return Adhesion.objects.order_by("pk").first()


def _assessment():
    return PatientAssessment.objects.order_by("pk").first()


CASES = [
    Case("patient", lambda: reverse("cabinet:patient_edit", kwargs={"pk": claire_patient().pk}),
         claire_patient, "access_info"),
    Case("prescription",
         lambda: reverse("cabinet:prescription_edit", kwargs={"pk": claire_prescription().pk}),
         claire_prescription, "notes"),
    Case("ald", lambda: reverse("cabinet:ald_edit", kwargs={"pk": claire_ald().pk}),
         claire_ald, "related_care"),
    Case("medecin", lambda: reverse("cabinet:medecin_edit",
                                    kwargs={"pk": Medecin.objects.order_by("pk").first().pk}),
         lambda: Medecin.objects.order_by("pk").first(), "specialty"),
    Case("careplan", lambda: reverse("cabinet:careplan_edit", kwargs={"pk": claire_care_plan().pk}),
         claire_care_plan, "label"),
    Case("convention", lambda: reverse("cooperation:convention_edit", kwargs={"pk": _convention().pk}),
         _convention, "third_party_name"),
    Case("adhesion", lambda: reverse("cooperation:adhesion_edit", kwargs={"pk": _adhesion().pk}),
         _adhesion, "notes", first="nadia", second="nadia"),
    Case("assessment", lambda: reverse("cooperation:assessment_edit",
                                       kwargs={"patient_id": _assessment().patient_id}),
         _assessment, "cannot_travel_reason", second="claire"),
]


def _stored(case: Case, obj) -> tuple:
    obj = type(obj).objects.get(pk=obj.pk)
    return getattr(obj, case.field), obj.row_version


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_s_data_2_the_second_save_of_a_stale_page_is_refused(personas, case):
    obj = case.obj()
    assert obj is not None, f"no {case.name} in the demo"
    url = case.url()
    first, second = personas.client(case.first), personas.client(case.second)
    page_one, page_two = first.get(url), second.get(url)
    assert page_one.status_code == page_two.status_code == 200

    data_one = page_data(page_one)
    data_one[case.field] = "Première modification"
    response = first.post(url, data_one)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _stored(case, obj) == ("Première modification", obj.row_version + 1)

    data_two = page_data(page_two)
    data_two[case.field] = "Seconde modification"
    last_event = AuditEvent.objects.order_by("pk").last().pk
    response = second.post(url, data_two)
    assert response.status_code in (200, 409)
    body = html.unescape(response.content.decode())
    assert REFUSAL in body
    # Her input is still on the page, the database holds the first edit.
    assert "Seconde modification" in body
    assert _stored(case, obj) == ("Première modification", obj.row_version + 1)
    assert not AuditEvent.objects.filter(pk__gt=last_event).exclude(action="view").exists()


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-1", "99999999999999999999"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_s_data_2_a_post_without_its_version_is_refused(personas, case, version):
    obj = case.obj()
    url = case.url()
    client = personas.client(case.first)
    data = page_data(client.get(url))
    if version is None:
        del data["row_version"]
    else:
        data["row_version"] = version
    data[case.field] = "Modification sans version"
    before = _stored(case, obj)
    response = client.post(url, data)
    assert response.status_code in (200, 400, 409)
    assert REFUSAL in html.unescape(response.content.decode())
    assert _stored(case, obj) == before


def test_s_data_2_the_edit_page_carries_the_version(personas):
    prescription = claire_prescription()
    response = personas.client("claire").get(
        reverse("cabinet:prescription_edit", kwargs={"pk": prescription.pk}))
    assert f'name="row_version" value="{prescription.row_version}"' in response.content.decode()
