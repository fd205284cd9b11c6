"""Writing the audit trail. Callers run inside their own transaction, so the
audit row and the change it describes commit or roll back together.

S-AUTHZ-1 / S-TRACE-2: an audit row keeps who, when, which object and which
fields, never a clinical value: the administrator reads the trail and is not
allowed patient data. `record()` keeps in the row only the detail keys listed
in SAFE_DETAIL (identifiers, counts, dates of the schedule, routing figures,
field names). Every other keyword is a value of the record: it goes to the
record's own version history (`RecordVersion`, same transaction), and the row
keeps only its name (`fields`). A new caller is safe by default: a key it
adds lands in the version history until it is reviewed and listed here.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, RecordVersion

SAFE_DETAIL = frozenset({
    # what changed, without the values
    "fields",
    # identifiers and counts
    "visit", "visits", "tournee", "patients", "from_nurse", "to_nurse", "count", "results",
    "created", "updated", "deleted", "reused", "batch", "revoked", "assigned", "unassigned",
    "absent", "remaining", "kind", "query",
    # the schedule and the routing (no care in them)
    "day", "dates", "duration", "locked", "locked_time", "after_visit", "lateness_cost",
    "direction", "km_before", "km_after", "late", "skills", "shift_start", "shift_end",
    # money and channels, not care
    "total", "channel",
    # invoices: numbers, links, the audit rule acknowledged (billing, not care)
    "seance", "seances", "number", "cancels", "credit_note", "rule",
    # accounts and roles
    "from_role", "to_role", "change",
})
# Keywords whose value is a mapping of field → value(s): the row keeps the field names.
MAPPING_DETAIL = frozenset({"changes", "before", "after", "values"})


def split_detail(detail: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the audit row may keep, what goes to the version history)."""
    safe = {k: v for k, v in detail.items() if k in SAFE_DETAIL}
    held = {k: v for k, v in detail.items() if k not in SAFE_DETAIL}
    if held:
        names = set(safe.get("fields") or [])
        for key, value in held.items():
            if key in MAPPING_DETAIL and isinstance(value, dict):
                names.update(str(name) for name in value)
            elif key not in MAPPING_DETAIL:
                names.add(key)
        safe["fields"] = sorted(names)
    return safe, held


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    patient_id: int | None = None,
    view: str = "",
    **detail: Any,
) -> AuditEvent:
    safe, held = split_detail(detail)
    actor = actor if getattr(actor, "pk", None) else None
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        patient_id=patient_id,
        view=view,
        detail=safe,
    )
    if held:
        RecordVersion.objects.create(
            event=event, at=event.at, author=actor, object_type=event.object_type,
            object_id=event.object_id, patient_id=patient_id, values=held,
        )
    return event


def versions_of(obj: models.Model):
    """The version history of one record (newest first). Callers show it only
    to users allowed the record (its own `_get_<object>_for_user()`)."""
    return RecordVersion.objects.filter(
        object_type=obj._meta.label, object_id=str(obj.pk)
    ).select_related("author")


def record_view(request, *, obj: models.Model, patient_id: int | None) -> AuditEvent:
    """S-TRACE-1: log a read of a patient record, prescription file or document."""
    match = getattr(request, "resolver_match", None)
    return record(
        actor=request.user,
        action="view",
        obj=obj,
        patient_id=patient_id,
        view=match.view_name if match else request.path,
    )


def record_reads(request, *, patient_ids, actor=None, view: str = "") -> int:
    """S-TRACE-1 for pages listing several patients (the renewal worklist, the
    eligible list, the calendar feed): one row per patient shown, so each
    patient's access log names the page. One INSERT, whatever the number."""
    match = getattr(request, "resolver_match", None)
    view = view or (match.view_name if match else request.path)
    user = actor if actor is not None else request.user
    user = user if getattr(user, "pk", None) else None
    rows = [
        AuditEvent(actor=user, action="view", object_type="cabinet.Patient",
                   object_id=str(pk), patient_id=pk, view=view)
        for pk in sorted({pk for pk in patient_ids if pk is not None})
    ]
    AuditEvent.objects.bulk_create(rows)
    return len(rows)
