"""The weekly renewal worklist: prescriptions ending (or ended) while care is
still planned, BSI due for renewal, ALD protocols near a deadline.

Each section is paginated (`PER_PAGE` rows): the page stays the same size
however many patients the cabinet follows; nothing is hidden, the rest is on
the next pages, most urgent first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from ..models import Ald, Patient, Prescription, Visit
from ..models.patients import AldDecision
from ..models.visits import VisitStatus

BSI_RENEWAL_DAYS = 365  # the BSI is renewed every year (NGAP BSI rules)
BSI_NOTICE_DAYS = 30
PER_PAGE = 20


@dataclass
class Worklist:
    """Each section is one page of (object, detail) pairs; `.paginator.count`
    is the section's whole count."""

    week_start: date
    horizon: date
    prescriptions: Page  # (Prescription, last planned visit date | None)
    bsi: Page  # (Patient, due date)
    alds: Page  # (Ald, AldStatus)

    @property
    def empty(self) -> bool:
        return not (self.prescriptions.paginator.count or self.bsi.paginator.count
                    or self.alds.paginator.count)


def _page(items, number, pair) -> Page:
    page = Paginator(items, PER_PAGE).get_page(number)
    page.object_list = [pair(item) for item in page.object_list]
    return page


def bsi_due_on(bsi_date: date) -> date:
    return bsi_date + timedelta(days=BSI_RENEWAL_DAYS)


def next_week_start(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def build(*, patients: QuerySet[Patient], today: date, pages: dict | None = None) -> Worklist:
    """Everything that needs attention before the end of next week. `pages`:
    the page number asked for each section ("prescriptions", "bsi", "alds")."""
    pages = pages or {}
    week_start = next_week_start(today)
    horizon = week_start + timedelta(days=6)

    planned = Visit.objects.filter(care_plan__prescription=OuterRef("pk"),
                                   status=VisitStatus.PLANNED)
    # Subqueries, not a join with MAX(): grouping by every column of the
    # prescription, its patient and its prescriber cost more than the rest.
    candidates = (
        Prescription.objects.filter(patient__in=patients, start_date__lte=horizon)
        .filter(Exists(planned.filter(date__gte=today)))
        .annotate(last_planned=Subquery(planned.order_by("-date").values("date")[:1]))
        .select_related("patient", "prescriber")
    )
    # end_date is computed from the duration (Prescription.end_date).
    prescriptions = sorted((p for p in candidates if p.end_date <= horizon),
                           key=lambda p: (p.end_date, p.pk))

    bsi_before = horizon - timedelta(days=BSI_RENEWAL_DAYS) + timedelta(days=BSI_NOTICE_DAYS)
    # Read whole, like the two other sections: the worklist is then plain data
    # that the page can keep until the next write (core.figures).
    due_bsi = list(
        patients.filter(is_active=True, bsi_date__isnull=False, bsi_date__lte=bsi_before)
        .exclude(bsi_level="").select_related("medecin_traitant").order_by("bsi_date", "pk")
    )

    # An ALD's deadlines are rules evaluated in Python (status_on); only the
    # page shown is rendered.
    alds = []
    for ald in Ald.objects.filter(patient__in=patients, patient__is_active=True).exclude(
        decision=AldDecision.REFUSED
    ).select_related("patient", "patient__medecin_traitant"):
        status = ald.status_on(today)
        if status.warnings or status.state == "draft":
            alds.append((ald, status))
    alds.sort(key=lambda item: (item[0].valid_to or date.max, item[0].pk))

    return Worklist(
        week_start=week_start, horizon=horizon,
        prescriptions=_page(prescriptions, pages.get("prescriptions"),
                            lambda p: (p, p.last_planned)),
        bsi=_page(due_bsi, pages.get("bsi"), lambda p: (p, bsi_due_on(p.bsi_date))),
        alds=_page(alds, pages.get("alds"), lambda pair: pair),
    )
