"""Writing the audit trail. Callers run inside their own transaction, so the
audit row and the change it describes commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    patient_id: int | None = None,
    view: str = "",
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        patient_id=patient_id,
        view=view,
        detail=detail,
    )


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
