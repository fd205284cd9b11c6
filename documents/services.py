"""Asking for documents (keyword-only services taking `acting_user`).

Each service runs in one transaction that also writes its audit row; the
rendering task is enqueued only once that transaction has committed
(`transaction.on_commit`), so a worker never looks for a row that does not
exist yet, and a rolled-back request renders nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core import audit
from core.models import Cabinet

from .context import context_hash, freeze, thaw
from .models import FINISHED, BatchItem, DocumentBatch, GeneratedDocument, Status
from .registry import DocumentKind, get

logger = logging.getLogger(__name__)


def letterhead() -> dict:
    """The cabinet's letterhead, frozen with each document (a document keeps
    the address it was sent with)."""
    cabinet = Cabinet.current()
    if cabinet is None:
        return {}
    return {
        "name": cabinet.name,
        "address": cabinet.address,
        "postcode": cabinet.postcode,
        "city": cabinet.city,
        "phone": cabinet.phone,
        "email": cabinet.email,
        "siret": cabinet.siret,
    }


def _kind(kind: DocumentKind | str) -> DocumentKind:
    return kind if isinstance(kind, DocumentKind) else get(kind)


def _get_or_create(
    kind: DocumentKind, obj, acting_user, header: dict | None = None
) -> tuple[GeneratedDocument, bool]:
    """The document for this (kind, object, version, data): the existing one
    if any (a failed one is set back to "en attente"), else a new one.
    Returns (document, needs_render)."""
    header = letterhead() if header is None else header
    frozen = freeze({"cabinet": header, "data": kind.build_context(obj)})
    key = {
        "kind": kind.code,
        "content_type": ContentType.objects.get_for_model(obj, for_concrete_model=True),
        "object_id": obj.pk,
        "template_version": str(kind.version),
        "context_sha256": context_hash(frozen),
    }
    existing = GeneratedDocument.objects.select_for_update().filter(**key).first()
    if existing is None:
        try:
            with transaction.atomic():
                document = GeneratedDocument(
                    **key,
                    context=frozen,
                    object_repr=str(obj)[:200],
                    patient_id=kind.patient_id(obj),
                    requested_by=acting_user,
                )
                if kind.filename:
                    document.download_name = kind.download_name(thaw(frozen["data"]), 0)[:150]
                document.save()
                if not kind.filename:
                    document.download_name = kind.download_name({}, document.pk)
                    document.save(update_fields=["download_name"])
            return document, True
        except IntegrityError:
            # Someone asked for the very same document at the same moment.
            existing = GeneratedDocument.objects.select_for_update().get(**key)
    if existing.status == Status.FAILED:
        existing.status = Status.PENDING
        existing.error = ""
        existing.save(update_fields=["status", "error"])
        return existing, True
    return existing, existing.status not in FINISHED


def prepare_document(*, acting_user, kind: DocumentKind | str, obj) -> GeneratedDocument:
    """The document record without enqueueing its render (demo data, and
    callers that render in-process with `render_document.apply`)."""
    kind = _kind(kind)
    with transaction.atomic():
        document, _ = _get_or_create(kind, obj, acting_user)
    return document


def _enqueue_render(document_ids: list[int]) -> None:
    from .tasks import render_document

    for pk in document_ids:
        try:
            render_document.delay(pk)
        except Exception:  # noqa: BLE001 - the sweeper re-enqueues what is left pending
            logger.exception("could not enqueue the rendering of document %s", pk)


def request_document(*, acting_user, kind: DocumentKind | str, obj) -> GeneratedDocument:
    """Ask for the PDF of `kind` about `obj`; returns at once with the
    document record (its status tells when the file is ready). Asking again
    for the same data and template version returns the same document."""
    kind = _kind(kind)
    if not kind.user_can_request(acting_user, obj):
        raise PermissionDenied
    with transaction.atomic():
        document, needs_render = _get_or_create(kind, obj, acting_user)
        audit.record(
            actor=acting_user, action="document.request", obj=document,
            patient_id=document.patient_id, kind=kind.code, reused=not needs_render,
        )
        if needs_render:
            pk = document.pk
            transaction.on_commit(lambda: _enqueue_render([pk]))
    return document


def request_batch(*, acting_user, kind: DocumentKind | str, objects: Iterable, title: str) -> DocumentBatch:
    """One document per object plus, once they are all done, one merged PDF
    to print. Refused as a whole if the user may not ask for one of them."""
    kind = _kind(kind)
    objects = list(objects)
    if not objects or not all(kind.user_can_request(acting_user, obj) for obj in objects):
        raise PermissionDenied
    with transaction.atomic():
        batch = DocumentBatch.objects.create(kind=kind.code, title=title[:200], requested_by=acting_user)
        # One letterhead for the whole batch: the click waits for one query
        # less per letter.
        header = letterhead()
        to_render, items, seen = [], [], set()
        for obj in objects:
            document, needs_render = _get_or_create(kind, obj, acting_user, header)
            if document.pk in seen:
                continue
            seen.add(document.pk)
            items.append(BatchItem(batch=batch, document=document, position=len(items)))
            if needs_render:
                to_render.append(document.pk)
            # S-TRACE-1: one row per patient concerned.
            audit.record(
                actor=acting_user, action="document.request", obj=document,
                patient_id=document.patient_id, kind=kind.code, batch=batch.pk,
                reused=not needs_render,
            )
        BatchItem.objects.bulk_create(items)
        audit.record(
            actor=acting_user, action="document.batch_request", obj=batch,
            kind=kind.code, count=len(items),
        )
        batch_pk = batch.pk

        def after_commit():
            _enqueue_render(to_render)
            schedule_merge_if_complete(batch_pk)

        transaction.on_commit(after_commit)
    return batch


def schedule_merge_if_complete(batch_id: int) -> bool:
    """Enqueue the merge once every document of the batch is finished. Called
    after each render commits, so the last one to finish always sees the
    batch complete; the merge task itself is idempotent."""
    from .tasks import merge_batch

    unfinished = BatchItem.objects.filter(batch_id=batch_id).exclude(
        document__status__in=FINISHED
    )
    if unfinished.exists() or not DocumentBatch.objects.filter(
        pk=batch_id, status=Status.PENDING
    ).exists():
        return False
    try:
        merge_batch.delay(batch_id)
    except Exception:  # noqa: BLE001 - the sweeper merges complete batches later
        logger.exception("could not enqueue the merge of batch %s", batch_id)
        return False
    return True
