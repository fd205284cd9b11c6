"""cabinet:patient_list / patient_create / patient_edit — works, role, ownership, bad id."""

from django.urls import reverse

from tests.cabinet.helpers import claire_patient, julie_patient


def test_list_for_the_secretary_shows_every_patient(personas):
    response = personas.client("nadia").get(reverse("cabinet:patient_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 40


def test_list_for_the_remplacante_is_limited(personas):
    response = personas.client("julie").get(reverse("cabinet:patient_list"))
    names = {p.last_name for p in response.context["page"].paginator.object_list}
    assert julie_patient().last_name in names
    assert claire_patient().last_name not in names


def test_edit_form_for_the_secretary_has_no_clinical_notes(personas):
    response = personas.client("nadia").get(
        reverse("cabinet:patient_edit", kwargs={"pk": claire_patient().pk}))
    assert response.status_code == 200
    assert "clinical_notes" not in response.context["form"].fields
    response = personas.client("claire").get(
        reverse("cabinet:patient_edit", kwargs={"pk": claire_patient().pk}))
    assert "clinical_notes" in response.context["form"].fields


def test_remplacante_cannot_create_patients(personas):
    assert personas.client("julie").get(reverse("cabinet:patient_create")).status_code == 403


def test_edit_bad_id(personas):
    url = reverse("cabinet:patient_edit", kwargs={"pk": 999999})
    assert personas.client("claire").get(url).status_code == 404
