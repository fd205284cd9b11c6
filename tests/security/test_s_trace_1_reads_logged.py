"""S-TRACE-1: every read of a patient record is logged, edit pages, forms,
lists and the calendar feed included (the probe found these unlogged)."""

from __future__ import annotations

from django.urls import reverse

from cabinet.models import Patient, Visit
from cooperation.models import PatientInclusion
from core.models import AuditEvent
from tests.cabinet.helpers import claire_ald, claire_care_plan, claire_patient, claire_prescription


def _logged(client, url: str, patient_id: int, view: str) -> bool:
    before = AuditEvent.objects.filter(patient_id=patient_id, view=view).count()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return AuditEvent.objects.filter(patient_id=patient_id, view=view).count() > before


def test_s_trace_1_edit_pages_are_logged(personas):
    client = personas.client("claire")
    patient = claire_patient()
    cases = [
        (reverse("cabinet:patient_edit", kwargs={"pk": patient.pk}), "cabinet:patient_edit"),
        (reverse("cabinet:prescription_edit", kwargs={"pk": claire_prescription().pk}),
         "cabinet:prescription_edit"),
        (reverse("cabinet:ald_edit", kwargs={"pk": claire_ald().pk}), "cabinet:ald_edit"),
        (reverse("cabinet:careplan_edit", kwargs={"pk": claire_care_plan().pk}),
         "cabinet:careplan_edit"),
    ]
    for url, view in cases:
        assert _logged(client, url, patient.pk, view), view
    row = AuditEvent.objects.filter(view="cabinet:patient_edit").latest("pk")
    assert row.actor == personas.claire and row.action == "view"


def test_s_trace_1_consent_and_act_forms_are_logged(personas):
    client = personas.client("claire")
    inclusion = PatientInclusion.objects.filter(protocol="pa-ph").first()
    assert _logged(client, reverse("cooperation:act_create", kwargs={"pk": inclusion.pk}),
                   inclusion.patient_id, "cooperation:act_create")
    patient = Patient.objects.get(last_name="Vidal")
    url = reverse("cooperation:inclusion_create",
                  kwargs={"patient_id": patient.pk, "protocol_id": "asalee"})
    assert _logged(client, url, patient.pk, "cooperation:inclusion_create")


def test_s_trace_1_lists_log_each_patient_shown(personas):
    client = personas.client("claire")
    before = AuditEvent.objects.filter(view="cabinet:worklist").count()
    body = client.get(reverse("cabinet:worklist")).content.decode()
    rows = AuditEvent.objects.filter(view="cabinet:worklist")[: 10_000]
    assert AuditEvent.objects.filter(view="cabinet:worklist").count() > before or "Rien" in body
    assert all(r.patient_id and r.actor == personas.claire for r in rows)
    before = AuditEvent.objects.filter(view="cooperation:eligible_list").count()
    client.get(reverse("cooperation:eligible_list"))
    assert AuditEvent.objects.filter(view="cooperation:eligible_list").count() >= before


def test_s_trace_1_calendar_feed_logs_the_patients_it_names(personas):
    from cabinet.services.calendar_feed import regenerate_ics_token

    feed = regenerate_ics_token(acting_user=personas.claire, nurse=personas.claire)
    named = set(Visit.objects.filter(nurse=personas.claire).values_list("patient_id", flat=True))
    response = personas.client(None).get(
        reverse("cabinet:ics_feed", kwargs={"pk": feed.pk, "token": feed.token}))
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(view="cabinet:ics_feed")
    assert rows.exists() and set(rows.values_list("patient_id", flat=True)) <= named
    assert all(r.actor == personas.claire for r in rows)
