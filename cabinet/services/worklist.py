"""The weekly renewal worklist: prescriptions ending (or ended) while care is
still planned, BSI due for renewal, ALD protocols near a deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from ..models import Ald, Patient, Prescription, Visit
from ..models.patients import AldDecision
from ..models.visits import VisitStatus

BSI_RENEWAL_DAYS = 365  # the BSI is renewed every year (NGAP BSI rules)
BSI_NOTICE_DAYS = 30


@dataclass
class Worklist:
    week_start: date
    horizon: date
    prescriptions: list[tuple[Prescription, date | None]] = field(default_factory=list)
    bsi: list[tuple[Patient, date]] = field(default_factory=list)
    alds: list[tuple[Ald, object]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.prescriptions or self.bsi or self.alds)


def bsi_due_on(bsi_date: date) -> date:
    return bsi_date + timedelta(days=BSI_RENEWAL_DAYS)


def next_week_start(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def build(*, patients: QuerySet[Patient], today: date) -> Worklist:
    """Everything that needs attention before the end of next week."""
    week_start = next_week_start(today)
    horizon = week_start + timedelta(days=6)
    work = Worklist(week_start=week_start, horizon=horizon)

    planned_after = Visit.objects.filter(
        care_plan__prescription=OuterRef("pk"), status=VisitStatus.PLANNED, date__gte=today
    )
    candidates = (
        Prescription.objects.filter(patient__in=patients, start_date__lte=horizon)
        .annotate(has_planned=Exists(planned_after))
        .filter(has_planned=True)
        .annotate(last_planned=Max("care_plans__visits__date", filter=Q(
            care_plans__visits__status=VisitStatus.PLANNED)))
        .select_related("patient", "prescriber")
        .order_by("start_date")
    )
    for p in candidates:
        if p.end_date <= horizon:
            work.prescriptions.append((p, p.last_planned))
    work.prescriptions.sort(key=lambda item: item[0].end_date)

    bsi_before = horizon - timedelta(days=BSI_RENEWAL_DAYS) + timedelta(days=BSI_NOTICE_DAYS)
    due_bsi = (
        patients.filter(is_active=True, bsi_date__isnull=False, bsi_date__lte=bsi_before)
        .exclude(bsi_level="").select_related("medecin_traitant").order_by("bsi_date")
    )
    for patient in due_bsi:
        work.bsi.append((patient, bsi_due_on(patient.bsi_date)))

    alds = Ald.objects.filter(patient__in=patients, patient__is_active=True).exclude(
        decision=AldDecision.REFUSED
    ).select_related("patient", "patient__medecin_traitant")
    for ald in alds:
        status = ald.status_on(today)
        if status.warnings or status.state == "draft":
            work.alds.append((ald, status))
    work.alds.sort(key=lambda item: (item[0].valid_to or date.max))
    return work
