"""An entered séance of the demo, billed under claire (for the access policy
and the entry tests)."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils import timezone

from billing.services import EntryData, save_entry
from cabinet.models import Patient
from core.models import User

AMI1 = {"catalogue_id": "", "key": "AMI", "coefficient": "1", "label": "", "ald_zone": ""}


def an_entry(*, nurse: str = "claire", performer: str | None = None, day: date | None = None,
             at: time = time(9, 0), patient: Patient | None = None, acts=None, **context):
    users = {u.username: u for u in User.objects.filter(username__in=("nadia", nurse,
                                                                      performer or nurse))}
    patient = patient or Patient.objects.order_by("pk").first()
    data = EntryData(
        patient=patient, date=day or timezone.localdate() - timedelta(days=1), time=at,
        nurse=users[nurse], performed_by=users[performer or nurse], prescription=None,
        acts=list(acts or [AMI1]), **context)
    return save_entry(acting_user=users["nadia"], data=data)
