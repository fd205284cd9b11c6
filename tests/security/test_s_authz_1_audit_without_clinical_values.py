"""S-AUTHZ-1 / S-TRACE-2: the audit trail keeps who, when, which object and
which fields, never a clinical value; the values live in the record's own
version history, which the Django admin does not show. The probe read a
coopération assessment and a delegated act's decision at
/admin/core/auditevent/<id>/change/."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from cabinet.models import Ald, Patient
from cabinet.services.patients import save_ald
from cooperation import services
from cooperation.models import PatientAssessment, PatientInclusion
from core import audit
from core.models import AuditEvent, RecordVersion

DECISION = "Antalgique de palier 1 prescrit (molécule du plan de soins)"


def _vidal() -> Patient:
    return Patient.objects.get(last_name="Vidal")


def test_s_authz_1_assessment_values_stay_out_of_the_audit_trail(personas):
    patient = _vidal()
    services.save_assessment(
        acting_user=personas.claire, patient=patient,
        data={"psychiatric_unstabilised": True, "cannot_travel_to_practice": True,
              "cannot_travel_reason": "grabataire depuis sa chute"},
        expected_version=PatientAssessment.objects.filter(patient=patient)
        .values_list("row_version", flat=True).first(),
    )
    event = AuditEvent.objects.filter(action__startswith="cooperation.assessment").latest("pk")
    assert "psychiatric_unstabilised" in event.detail["fields"]
    text = str(event.detail)
    assert "True" not in text and "grabataire" not in text
    version = RecordVersion.objects.get(event=event)
    assert version.values["changes"]["cannot_travel_reason"][1] == "grabataire depuis sa chute"
    assert version.patient_id == patient.pk and version.author == personas.claire


def test_s_authz_1_delegated_act_decision_stays_out_of_the_audit_trail(personas):
    inclusion = PatientInclusion.objects.get(patient=_vidal(), protocol="pa-ph")
    act = services.record_delegated_act(
        acting_user=personas.claire, inclusion=inclusion,
        data={"act_code": "antalgique-palier-1", "context": "intercurrent_event",
              "performed_on": timezone.localdate(), "location": "home",
              "findings": "Douleurs du genou droit, EVA 4.", "decision": DECISION,
              "decision_detail": "", "reprise_by_delegant": False, "adverse_event": False,
              "care_plan_item": inclusion.act_limits["antalgique-palier-1"][0]},
    )
    event = AuditEvent.objects.get(action="cooperation.act", object_id=str(act.pk))
    assert DECISION not in str(event.detail) and "antalgique" not in str(event.detail)
    assert set(event.detail["fields"]) >= {"act", "decision"}
    assert RecordVersion.objects.get(event=event).values["decision"] == DECISION

    # The administrator's view of that row in the Django admin shows no value.
    client = personas.client("admin")
    body = client.get(
        reverse("admin:core_auditevent_change", args=[event.pk])
    ).content.decode()
    assert DECISION not in body and "antalgique-palier-1" not in body


def test_s_authz_1_ald_dates_and_every_caller_stay_out_of_the_audit_trail(personas):
    ald = Ald.objects.filter(patient=_vidal()).first() or Ald.objects.first()
    ald.valid_from = dt.date(2025, 1, 6)
    save_ald(acting_user=personas.claire, ald=ald, expected_version=ald.row_version)
    event = AuditEvent.objects.filter(action="ald.update").latest("pk")
    assert "2025-01-06" not in str(event.detail)
    assert "valid_from" in event.detail["fields"]
    # Whatever a caller passes, only reviewed keys reach the row.
    every = AuditEvent.objects.all()
    for row in every:
        assert set(row.detail) <= audit.SAFE_DETAIL, (row.action, row.detail)


def test_s_authz_1_version_history_is_not_in_the_admin():
    assert RecordVersion not in admin.site._registry
    assert AuditEvent in admin.site._registry


def test_s_authz_1_rows_written_before_are_shown_without_values(personas):
    """A row as the earlier code wrote it (values in the detail) is displayed
    through the same filter: field names, no value."""
    event = AuditEvent.objects.create(
        actor=personas.claire, action="cooperation.assessment.update",
        detail={"changes": {"smoker": [None, "fume 20 cigarettes"], "copd_risk": [None, True]}},
    )
    body = personas.client("admin").get(
        reverse("admin:core_auditevent_change", args=[event.pk])).content.decode()
    assert "copd_risk" in body and "smoker" in body
    assert "cigarettes" not in body
