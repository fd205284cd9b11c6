"""cabinet:patient_access_log — S-TRACE-1: the administrator reads who saw
a patient's record and files; nobody else may."""

from django.urls import reverse

from tests.cabinet.helpers import claire_patient, claire_prescription


def test_admin_reads_the_access_log_per_patient(personas):
    patient = claire_patient()
    personas.client("nadia").get(reverse("cabinet:patient_detail", kwargs={"pk": patient.pk}))
    personas.client("claire").get(
        reverse("cabinet:prescription_detail", kwargs={"pk": claire_prescription().pk}))
    response = personas.client("admin").get(
        reverse("cabinet:patient_access_log", kwargs={"pk": patient.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nadia Benali" in body and "cabinet:patient_detail" in body
    assert "Claire Martin" in body and "cabinet:prescription_detail" in body
    # The administrator sees no clinical data on this page.
    assert patient.clinical_notes not in body


def test_only_the_admin_reads_it(personas):
    url = reverse("cabinet:patient_access_log", kwargs={"pk": claire_patient().pk})
    for name in ("claire", "julie", "nadia"):
        assert personas.client(name).get(url).status_code == 403


def test_bad_id(personas):
    url = reverse("cabinet:patient_access_log", kwargs={"pk": 999999})
    assert personas.client("admin").get(url).status_code == 404


def test_admin_finds_a_patient_for_the_log(personas):
    response = personas.client("admin").get(reverse("cabinet:access_log_index"), {"q": "girard"})
    assert response.status_code == 200
    body = response.content.decode()
    patient = claire_patient()
    assert reverse("cabinet:patient_access_log", kwargs={"pk": patient.pk}) in body
    assert patient.nir not in body and patient.address not in body
    assert personas.client("nadia").get(reverse("cabinet:access_log_index")).status_code == 403


def test_s_authz_1_access_log_search_does_not_reveal_a_nir_digit_by_digit(personas):
    """The probe read a full NIR by adding one digit at a time: a NIR prefix,
    a part of a birth date or any digit string now matches nothing; the whole
    NIR still finds the patient. Every search is audited."""
    from core.models import AuditEvent

    patient = claire_patient()
    nir = patient.nir.replace(" ", "")
    assert len(nir) >= 13
    client = personas.client("admin")
    url = reverse("cabinet:access_log_index")
    target = reverse("cabinet:patient_access_log", kwargs={"pk": patient.pk})
    before = AuditEvent.objects.filter(action="access_log.search").count()
    for length in range(1, 13):
        body = client.get(url, {"q": nir[:length]}).content.decode()
        assert target not in body, length
        assert "Recherche refusée" in body
    born = patient.birth_date
    for partial in (born.strftime("%d/%m"), born.strftime("%m/%Y"), str(born.year)):
        assert target not in client.get(url, {"q": partial}).content.decode()
    assert target in client.get(url, {"q": nir[:13]}).content.decode()
    assert target in client.get(url, {"q": born.strftime("%d/%m/%Y")}).content.decode()
    assert target in client.get(url, {"q": "GIRARD marcel"}).content.decode()
    searches = AuditEvent.objects.filter(action="access_log.search").order_by("pk")[before:]
    assert len(searches) == 12 + 3 + 3
    last = searches[len(searches) - 1]
    assert last.actor.username == "admin" and last.detail["kind"] == "nom"
    # An identifier typed into the search is not copied into the trail.
    assert all(nir[:13] not in str(e.detail) for e in searches)
