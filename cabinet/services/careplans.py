"""Turning care plans into visits. Idempotent on (care plan, date, slot);
changing a plan moves, updates or removes its future planned visits and never
touches a visit that is done, not done or cancelled."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from core import audit
from core.versioning import lock_version, next_version

from ..models import CarePlan, PrescribedAct, Visit
from ..models.visits import VisitStatus
from ..recurrence import Occurrence, expand, window


@dataclass
class GenerationResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (f"{self.created} passage(s) créé(s), {self.updated} modifié(s), "
                f"{self.deleted} supprimé(s)")


def occurrences(plan: CarePlan) -> list[Occurrence]:
    return expand(
        start=plan.start_date, end=plan.end_date, recurrence=plan.recurrence, times=plan.times,
        interval_days=plan.interval_days, weekdays=plan.weekdays,
    )


def _visit_fields(plan: CarePlan, occ: Occurrence, acts: list[dict]) -> dict:
    start, end = window(occ.time, before_min=plan.window_before_min,
                        after_min=plan.window_after_min)
    return {
        "patient_id": plan.patient_id,
        "nurse_id": plan.nurse_id,
        "window_start": start,
        "window_end": end,
        "hard_window": plan.hard_window,
        "preferred_time": occ.time,
        "expected_duration_min": plan.duration_min,
        "acts": acts,
    }


def _minutes(slot: str) -> int:
    hours, minutes = slot.split(":")
    return int(hours) * 60 + int(minutes)


def _without_frozen(wanted: list[Occurrence], frozen: dict[date, list[str]]) -> list[Occurrence]:
    by_day: dict[date, list[Occurrence]] = defaultdict(list)
    for occ in wanted:
        by_day[occ.date].append(occ)
    kept: list[Occurrence] = []
    for day, occs in sorted(by_day.items()):
        slots = {o.slot for o in occs}
        done = list(frozen.get(day, []))
        for slot in [s for s in done if s in slots]:
            slots.discard(slot)
            done.remove(slot)
        for slot in sorted(done):
            if not slots:
                break
            nearest = min(slots, key=lambda s, slot=slot: abs(_minutes(s) - _minutes(slot)))
            slots.discard(nearest)
        kept.extend(o for o in occs if o.slot in slots)
    return kept


def _apply(visit: Visit, values: dict, *, nurse_changed: bool) -> bool:
    values = dict(values)
    if not nurse_changed:
        # A visit handed to a colleague or dispatched to a nurse stays hers
        # until the plan itself names another nurse.
        del values["nurse_id"]
    if visit.duration_set_by_nurse:
        del values["expected_duration_min"]
    changed = False
    if "nurse_id" in values and values["nurse_id"] != visit.nurse_id \
            and visit.tournee_id is not None:
        # The visit leaves the previous nurse's tournée.
        visit.tournee = None
        visit.sequence = None
        visit.planned_time = None
        visit.locked = False
        changed = True
    for name, value in values.items():
        if getattr(visit, name) != value:
            setattr(visit, name, value)
            changed = True
    return changed


@transaction.atomic
def generate_visits(*, acting_user, care_plan: CarePlan, today: date | None = None,
                    record: bool = True, nurse_changed: bool = False) -> GenerationResult:
    """Bring the plan's visits from `today` on in line with the plan;
    `nurse_changed` when the plan's nurse was just changed, which moves its
    future visits to the new nurse."""
    today = today or timezone.localdate()
    plan = CarePlan.objects.select_for_update().get(pk=care_plan.pk)
    result = GenerationResult()
    wanted = [o for o in occurrences(plan) if o.date >= today] if plan.active else []
    acts = [a.as_visit_act() for a in PrescribedAct.objects.filter(care_plans=plan).order_by("pk")]

    existing = list(Visit.objects.filter(care_plan=plan, date__gte=today))
    # Occurrences already handled by a visit that is no longer "planned"
    # (done, not done, cancelled) are left alone.
    # On a day where the slots changed, such a visit stands for the nearest
    # new slot (the evening injection done at 19:00 is not redone at 20:00).
    frozen: dict[date, list[str]] = defaultdict(list)
    for v in existing:
        if v.status != VisitStatus.PLANNED:
            frozen[v.date].append(v.slot)
    planned = {(v.date, v.slot): v for v in existing if v.status == VisitStatus.PLANNED}
    wanted = _without_frozen(wanted, frozen)

    to_create: list[Occurrence] = []
    for occ in wanted:
        visit = planned.pop((occ.date, occ.slot), None)
        if visit is None:
            to_create.append(occ)
            continue
        if _apply(visit, _visit_fields(plan, occ, acts), nurse_changed=nurse_changed):
            visit.save()
            result.updated += 1
        else:
            result.unchanged += 1

    # Move the remaining planned visits of a day onto that day's new slots
    # (a time change keeps the visit and its place in the tournée), then
    # remove the ones left over.
    leftovers: dict[date, list[Visit]] = defaultdict(list)
    for visit in sorted(planned.values(), key=lambda v: (v.date, v.slot)):
        leftovers[visit.date].append(visit)
    for occ in list(to_create):
        pool = leftovers.get(occ.date)
        if pool:
            visit = pool.pop(0)
            visit.slot = occ.slot
            if not visit.locked:
                visit.planned_time = None
            _apply(visit, _visit_fields(plan, occ, acts), nurse_changed=nurse_changed)
            visit.save()
            result.updated += 1
            to_create.remove(occ)
    stale = [v.pk for pool in leftovers.values() for v in pool]
    if stale:
        result.deleted = Visit.objects.filter(pk__in=stale, status=VisitStatus.PLANNED).delete()[0]

    Visit.objects.bulk_create([
        Visit(care_plan=plan, date=occ.date, slot=occ.slot, status=VisitStatus.PLANNED,
              **_visit_fields(plan, occ, acts))
        for occ in to_create
    ])
    result.created = len(to_create)
    if record:
        audit.record(
            actor=acting_user, action="careplan.generate", obj=plan, patient_id=plan.patient_id,
            created=result.created, updated=result.updated, deleted=result.deleted,
        )
    return result


@transaction.atomic
def save_care_plan(*, acting_user, care_plan: CarePlan, acts: list[PrescribedAct],
                   today: date | None = None,
                   expected_version: int | None = None) -> GenerationResult:
    """Create or update a plan and bring its visits in line; an update
    refuses a stale form before anything is written (S-DATA-2)."""
    created = care_plan.pk is None
    previous_nurse_id = None
    if not created:
        stored = lock_version(CarePlan, care_plan.pk, expected_version)
        next_version(care_plan, stored)
        previous_nurse_id = stored.nurse_id
    care_plan.save()
    care_plan.acts.set(acts)
    audit.record(
        actor=acting_user, action="careplan.create" if created else "careplan.update",
        obj=care_plan, patient_id=care_plan.patient_id,
    )
    return generate_visits(acting_user=acting_user, care_plan=care_plan, today=today,
                           nurse_changed=not created and previous_nurse_id != care_plan.nurse_id)


@transaction.atomic
def stop_care_plan(*, acting_user, care_plan: CarePlan, today: date | None = None
                   ) -> GenerationResult:
    care_plan.active = False
    # S-DATA-2: stopping is a save too; a form opened before cannot restart it.
    stored = CarePlan.objects.select_for_update().only("row_version").get(pk=care_plan.pk)
    next_version(care_plan, stored)
    care_plan.save(update_fields=["active", "updated_at", "row_version"])
    audit.record(actor=acting_user, action="careplan.stop", obj=care_plan,
                 patient_id=care_plan.patient_id)
    return generate_visits(acting_user=acting_user, care_plan=care_plan, today=today)
