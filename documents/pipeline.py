"""What the rendering task does, as plain functions (the Celery task in
`tasks.py` only adds acknowledgement, retries and time limits).

A document moves en attente → en cours → prêt | échec. Taking it to "en
cours" happens under a row lock and stamps a claim with the claiming process.
A document "en cours" belongs to a worker that died (killed, machine lost)
when that process is known to be gone (same host and PID namespace), or when
its render started longer ago than the hard time limit allows: another
render then takes it over.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import socket
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from .models import FINISHED, BatchItem, DocumentBatch, GeneratedDocument, Status
from .registry import UnknownKind, get
from .rendering import render_pdf, sha256_of

logger = logging.getLogger(__name__)


def render_time_limit() -> int:
    return int(getattr(settings, "DOCUMENTS_RENDER_TIME_LIMIT", 120))


def soft_time_limit() -> int:
    """Leaves the task time to record "rendu trop long" before the hard kill."""
    limit = render_time_limit()
    return max(1, limit - min(10, max(1, limit // 4)))


def stale_after() -> dt.timedelta:
    """A render older than this is dead: the worker's hard time limit would
    have killed it already."""
    return dt.timedelta(seconds=render_time_limit() + int(getattr(settings, "DOCUMENTS_STALE_MARGIN", 30)))


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


def process_identity() -> str:
    """host|PID namespace|PID of this process. PIDs only mean something
    inside one namespace: two containers may share a host name, never a
    namespace."""
    return f"{socket.gethostname()}|{_pid_namespace()}|{os.getpid()}"


def claimant_is_gone(claimed_by: str) -> bool:
    """Whether the process that claimed a render is known to have died. Only
    a process of this host and PID namespace can be checked; any other is
    presumed alive (the time limit decides)."""
    host, _, rest = claimed_by.partition("|")
    namespace, _, pid = rest.partition("|")
    here = _pid_namespace()
    if not (here and host == socket.gethostname() and namespace == here and pid.isdigit()):
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A killed pool process stays a zombie until its parent reaps it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[:1] == ["Z"]


class Busy(Exception):
    """Another live render owns the document; try again after `wait` seconds."""

    def __init__(self, wait: float):
        super().__init__(f"document en cours de rendu ailleurs, nouvel essai dans {wait:.0f} s")
        self.wait = wait


def claim(document_id: int) -> GeneratedDocument | None:
    """Take the document to "en cours" for this attempt; None when there is
    nothing to do (already finished, or gone)."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status in FINISHED:
            return None
        now = timezone.now()
        if document.status == Status.RENDERING and document.started_at:
            age = now - document.started_at
            if claimant_is_gone(document.claimed_by):
                logger.warning("document %s: taking over the render of %s, which is gone",
                               document.pk, document.claimed_by)
            elif age < stale_after():
                raise Busy((stale_after() - age).total_seconds() + 1)
            else:
                logger.warning("document %s: taking over a render stale since %s",
                               document.pk, document.started_at)
        document.status = Status.RENDERING
        document.started_at = now
        document.attempts += 1
        document.claim = uuid.uuid4().hex
        document.claimed_by = process_identity()
        document.error = ""
        document.save(update_fields=["status", "started_at", "attempts", "claim", "claimed_by", "error"])
        return document


def document_meta(document: GeneratedDocument) -> dict:
    return {
        "reference": f"DOC-{document.pk:06d}",
        "requested_at": timezone.localtime(document.requested_at),
        "kind": document.kind,
        "version": document.template_version,
    }


def produce(document: GeneratedDocument) -> bytes:
    try:
        kind = get(document.kind)
    except UnknownKind:
        raise PermanentFailure(f"type de document inconnu : {document.kind}") from None
    return render_pdf(kind.template, document.context, document_meta(document))


class PermanentFailure(Exception):
    pass


def _owned(document_id: int, claim_token: str) -> GeneratedDocument | None:
    document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
    if document.status != Status.RENDERING or document.claim != claim_token:
        logger.warning("document %s: claim lost, result dropped", document_id)
        return None
    return document


def store(document_id: int, claim_token: str, pdf: bytes) -> bool:
    with transaction.atomic():
        document = _owned(document_id, claim_token)
        if document is None:
            return False
        name = f"{document.kind}-{document.pk}.pdf"
        storage = document.file.storage
        path = document.file.field.generate_filename(document, name)
        # One document, one file: a previous attempt that died after writing
        # leaves the same path, which is replaced rather than suffixed.
        if storage.exists(path):
            storage.delete(path)
        document.file.save(name, ContentFile(pdf), save=False)
        document.sha256 = sha256_of(pdf)
        document.size = len(pdf)
        document.status = Status.READY
        document.rendered_at = timezone.now()
        document.save(update_fields=["file", "sha256", "size", "status", "rendered_at"])
        transaction.on_commit(lambda: _after_finish(document_id))
    return True


def fail(document_id: int, reason: str, claim_token: str | None = None) -> None:
    """Record a permanent failure with its reason: shown to the user, never lost."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == Status.READY:
            return
        if claim_token is not None and document.claim != claim_token:
            return
        document.status = Status.FAILED
        document.error = reason[:2000]
        document.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: _after_finish(document_id))
    logger.error("document %s failed: %s", document_id, reason)


def release(document_id: int, claim_token: str) -> None:
    """Back to "en attente" before a retry (transient error)."""
    with transaction.atomic():
        document = _owned(document_id, claim_token)
        if document is not None:
            document.status = Status.PENDING
            document.save(update_fields=["status"])


def _after_finish(document_id: int) -> None:
    from .services import schedule_merge_if_complete

    batch_ids = BatchItem.objects.filter(
        document_id=document_id, batch__status=Status.PENDING
    ).values_list("batch_id", flat=True)
    for batch_id in list(batch_ids):
        schedule_merge_if_complete(batch_id)


def merge(batch_id: int) -> bool:
    """Build the batch's merged PDF from its ready documents, in order."""
    with transaction.atomic():
        batch = DocumentBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None or batch.status in FINISHED:
            return False
        items = list(batch.items.select_related("document"))
        if any(item.document.status not in FINISHED for item in items):
            return False
        ready = [item.document for item in items if item.document.status == Status.READY]
        failed = len(items) - len(ready)
        if not ready:
            batch.status = Status.FAILED
            batch.error = "Aucun document du lot n'a pu être produit."
            batch.save(update_fields=["status", "error"])
            return True
        writer = PdfWriter()
        for document in ready:
            with document.file.open("rb") as handle:
                writer.append(io.BytesIO(handle.read()))
        buffer = io.BytesIO()
        writer.write(buffer)
        content = buffer.getvalue()
        name = f"lot-{batch.pk}.pdf"
        path = batch.merged_file.field.generate_filename(batch, name)
        if batch.merged_file.storage.exists(path):
            batch.merged_file.storage.delete(path)
        batch.merged_file.save(name, ContentFile(content), save=False)
        batch.merged_sha256 = sha256_of(content)
        batch.merged_at = timezone.now()
        batch.status = Status.READY
        batch.error = f"{failed} document(s) en échec, absents du PDF à imprimer." if failed else ""
        batch.save(update_fields=["merged_file", "merged_sha256", "merged_at", "status", "error"])
        return True


def stale_work() -> tuple[list[int], list[int]]:
    """Documents whose render was lost (a dead worker's "en cours", or "en
    attente" for long: the message never reached a worker) and complete
    batches never merged."""
    now = timezone.now()
    pending_grace = dt.timedelta(seconds=int(getattr(settings, "DOCUMENTS_PENDING_GRACE", 600)))
    rendering = GeneratedDocument.objects.filter(status=Status.RENDERING)
    documents = list(
        rendering.filter(started_at__lt=now - stale_after()).values_list("pk", flat=True)
    ) + [
        pk
        for pk, claimed_by in rendering.filter(started_at__gte=now - stale_after()).values_list(
            "pk", "claimed_by"
        )
        if claimant_is_gone(claimed_by)
    ] + list(
        GeneratedDocument.objects.filter(
            status=Status.PENDING, requested_at__lt=now - pending_grace
        ).values_list("pk", flat=True)
    )
    batches = [
        batch.pk
        for batch in DocumentBatch.objects.filter(status=Status.PENDING)
        if not batch.items.exclude(document__status__in=FINISHED).exists()
    ]
    return documents, batches
