"""Demo documents: the cabinet's patient data notice, Julie's confidentiality
commitment and a batch of commitments (Julie and Nadia), rendered at once so
the demo shows finished PDFs without a worker running. Deterministic and
idempotent: the same data gives the same documents (idempotence key), and a
batch is looked up by its title."""

from __future__ import annotations

from core.models import User

from . import builtin, registry
from .models import BatchItem, DocumentBatch, GeneratedDocument, Status
from .services import prepare_document

DEMO_BATCH_TITLE = "Engagements de confidentialité — remplaçante et secrétaire (démo)"


def _render(document: GeneratedDocument) -> GeneratedDocument:
    from .tasks import render_document

    # Runs the task in this process (whatever the broker), inside the demo's
    # transaction: nothing is sent to a worker.
    if document.status != Status.READY:
        render_document.apply(args=[document.pk])
        document.refresh_from_db()
    return document


def seed(stdout=None) -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=["claire", "admin", "julie", "nadia"])}
    notice_kind = registry.get(builtin.RGPD_NOTICE)
    engagement_kind = registry.get(builtin.CONFIDENTIALITY)
    notice = _render(prepare_document(
        acting_user=users["claire"], kind=notice_kind, obj=notice_kind.demo_object()
    ))
    engagement = _render(prepare_document(
        acting_user=users["admin"], kind=engagement_kind, obj=users["julie"]
    ))
    nadia_engagement = _render(prepare_document(
        acting_user=users["admin"], kind=engagement_kind, obj=users["nadia"]
    ))
    batch, _ = DocumentBatch.objects.get_or_create(
        title=DEMO_BATCH_TITLE,
        defaults={"kind": engagement_kind.code, "requested_by": users["admin"]},
    )
    for position, document in enumerate([engagement, nadia_engagement]):
        BatchItem.objects.update_or_create(
            batch=batch, position=position, defaults={"document": document}
        )
    if batch.status != Status.READY:
        from .tasks import merge_batch

        merge_batch.apply(args=[batch.pk])
        batch.refresh_from_db()
    if stdout is not None:
        stdout.write(f"Documents : {GeneratedDocument.objects.count()} document(s) PDF de démonstration.")
    return {"notice": notice, "engagement": engagement, "batch": batch}
