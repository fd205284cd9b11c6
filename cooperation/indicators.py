"""Yearly indicators of a protocol for the cabinet (R-COOP-9, R-COOP-10, R-PAPH-33):
patients cared for, rate of acts taken back by the délégant, adverse events (number and
rate), and, for a protocol with a monthly follow-up, the follow-up consultations per
patient against the expected rhythm. Aggregates only: no patient is named. The
professionals' satisfaction rate is not collected by the app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from . import catalogue
from .models import DelegatedAct, InclusionStatus, PatientInclusion


@dataclass(frozen=True)
class Indicators:
    year: int
    patients: int
    acts: int
    reprises: int
    adverse_events: int
    follow_ups: int
    expected_follow_ups_per_patient: int | None

    @staticmethod
    def _rate(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f} %".replace(".", ",") if whole else "—"

    @property
    def reprise_rate(self) -> str:
        return self._rate(self.reprises, self.acts)

    @property
    def adverse_event_rate(self) -> str:
        return self._rate(self.adverse_events, self.acts)

    @property
    def follow_ups_per_patient(self) -> str:
        if not self.patients:
            return "—"
        return f"{self.follow_ups / self.patients:.1f}".replace(".", ",")


def yearly(protocol_id: str, year: int) -> Indicators:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    protocol = catalogue.get(protocol_id)
    cared_for = PatientInclusion.objects.filter(
        protocol=protocol_id, consent=True, included_on__lte=end,
        status__in=[InclusionStatus.INCLUDED, InclusionStatus.EXITED],
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gte=start))
    acts = DelegatedAct.objects.filter(inclusion__protocol=protocol_id,
                                       performed_on__range=(start, end))
    follow_up = protocol.follow_up if protocol else None
    return Indicators(
        year=year,
        patients=cared_for.values("patient").distinct().count(),
        acts=acts.count(),
        reprises=acts.filter(reprise_by_delegant=True).count(),
        adverse_events=acts.filter(adverse_event=True).count(),
        follow_ups=acts.filter(act_code=follow_up.act).count() if follow_up else 0,
        expected_follow_ups_per_patient=follow_up.nurse_visits_per_year if follow_up else None,
    )
