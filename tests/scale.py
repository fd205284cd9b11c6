"""Grow the demo data for the « pages stay flat » tests: a page's query count
must be the same at 1× and 10× the demo data.

Copies go through `bulk_create` (no save() hooks, no audit rows): they are
rows as a bigger cabinet would have them, not actions of a user.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from django.db import models


def clone(row: models.Model, **changes) -> models.Model:
    """An unsaved copy of `row` with `changes`; it knows its original as `copy_of`."""
    new = copy.copy(row)
    new.pk = None
    new._state = models.base.ModelState()
    new.copy_of = row.pk
    for field, value in changes.items():
        setattr(new, field, value)
    return new


def copies(rows: models.QuerySet | Iterable[models.Model], times: int = 1,
           **changes: object | Callable) -> list[models.Model]:
    """`times` copies of every row (saved, with new ids). `changes`: field
    values for the copies; a callable gets (original, n) with n in 1…times.
    Each copy knows its original's id as `copy_of`."""
    originals = list(rows)
    if not originals:
        return []
    new = []
    for n in range(1, times + 1):
        for original in originals:
            new.append(clone(original, **{
                field: value(original, n) if callable(value) else value
                for field, value in changes.items()
            }))
    return type(originals[0]).objects.bulk_create(new)


def scale_demo(times: int = 9) -> dict:
    """Add `times` copies of the demo's clinical data: every active patient
    with its ALDs, assessment, prescriptions and their acts, care plans and
    the visits of the coming two weeks (in the same tournées, so each of
    those days has 1 + `times` as many visits; the year of visits the care
    plans generate further ahead is left as it is, which no page lists
    whole). Returns {model name: rows added}."""
    import datetime as dt

    from django.utils import timezone

    from cabinet.models import Ald, CarePlan, Patient, PrescribedAct, Prescription, Visit
    from cooperation.models import PatientAssessment

    horizon = timezone.localdate() + dt.timedelta(days=14)
    patients = list(Patient.objects.filter(is_active=True).order_by("pk"))
    ids = [p.pk for p in patients]
    added: dict[str, int] = {}
    for _ in range(times):
        patient_of = {p.copy_of: p.pk for p in copies(patients)}

        def moved(rows, **links):
            """Copies of `rows` whose links point at the copies made before."""
            made = copies(rows, **{
                field: (lambda original, _n, f=field, m=mapping: m[getattr(original, f)])
                for field, mapping in links.items()
            })
            if made:
                name = type(made[0]).__name__
                added[name] = added.get(name, 0) + len(made)
            return {row.copy_of: row.pk for row in made}

        moved(list(Ald.objects.filter(patient_id__in=ids)), patient_id=patient_of)
        moved(list(PatientAssessment.objects.filter(patient_id__in=ids)), patient_id=patient_of)
        prescription_of = moved(list(Prescription.objects.filter(patient_id__in=ids)),
                                patient_id=patient_of)
        moved(list(PrescribedAct.objects.filter(prescription_id__in=prescription_of)),
              prescription_id=prescription_of)
        plan_of = moved(list(CarePlan.objects.filter(patient_id__in=ids)),
                        patient_id=patient_of, prescription_id=prescription_of)
        visits = list(Visit.objects.filter(patient_id__in=ids, date__lte=horizon))
        for visit in visits:
            visit.after_visit_id = None
        moved(visits, patient_id=patient_of,
              care_plan_id={**plan_of, None: None})
    added["Patient"] = len(patients) * times
    return added
