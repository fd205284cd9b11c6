"""Document pages: status (polled with htmx until the PDF is ready or has
failed), download, batches with their progress.

Object access: `_get_document_for_user` / `_get_batch_for_user` are called
first in every view; a document whose object the user may not see is a 404
(its existence is not disclosed). Every download is logged (S-TRACE-1).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.access import any_role

from . import registry
from .models import FINISHED, DocumentBatch, GeneratedDocument, Status
from .services import request_batch, request_document

POLL_SECONDS = 2
RECENT_LIMIT = 50


def _visible(user, document: GeneratedDocument) -> bool:
    try:
        kind = registry.get(document.kind)
    except registry.UnknownKind:
        return False
    return kind.user_can_view(user, document.content_object)


def _get_document_for_user(user, pk: int) -> GeneratedDocument:
    document = get_object_or_404(GeneratedDocument.objects.select_related("requested_by"), pk=pk)
    if not _visible(user, document):
        raise Http404
    return document


def _get_batch_for_user(user, pk: int, *, counts_only: bool = False) -> DocumentBatch:
    """A batch is visible to whoever may see every one of its documents. Its
    progress alone (counts, no names) is enough for its requester, which
    spares checking a hundred documents on every poll."""
    batch = get_object_or_404(DocumentBatch.objects.select_related("requested_by"), pk=pk)
    if counts_only and batch.requested_by_id == user.pk:
        return batch
    documents = [
        item.document
        for item in batch.items.select_related("document").prefetch_related("document__content_object")
    ]
    if not documents or not all(_visible(user, d) for d in documents):
        raise Http404
    batch.visible_documents = documents
    return batch


def _get_kind(code: str) -> registry.DocumentKind:
    try:
        return registry.get(code)
    except registry.UnknownKind:
        raise Http404 from None


def _any(objects) -> bool:
    return objects.exists() if hasattr(objects, "exists") else bool(objects)


@any_role
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    recent = (
        GeneratedDocument.objects.select_related("requested_by")
        .prefetch_related("content_object")
        .order_by("-requested_at", "-pk")[: RECENT_LIMIT * 2]
    )
    documents = [d for d in recent if _visible(request.user, d)][:RECENT_LIMIT]
    batches = DocumentBatch.objects.filter(requested_by=request.user)[:20]
    actions = []
    for kind in registry.all_kinds():
        if kind.batch_objects and _any(kind.batch_objects(request.user)):
            actions.append({"kind": kind, "batch": True, "label": kind.batch_label or kind.label})
        demo = None
        if kind.model == "core.Cabinet" and kind.demo_object:
            demo = kind.demo_object()
        if demo is not None and kind.user_can_request(request.user, demo):
            actions.append({"kind": kind, "batch": False, "object_id": demo.pk, "label": kind.label})
    return render(
        request,
        "documents/list.html",
        {"documents": documents, "batches": batches, "actions": actions},
    )


@any_role
@require_POST
def document_request(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """Ask for a document about any registered object; other apps may post
    here from their pages (or call `request_document` in their own view)."""
    doc_kind = _get_kind(kind)
    obj = doc_kind.get_object(object_id)
    if obj is None or not doc_kind.user_can_view(request.user, obj):
        raise Http404
    if not doc_kind.user_can_request(request.user, obj):
        raise PermissionDenied
    document = request_document(acting_user=request.user, kind=doc_kind, obj=obj)
    return redirect("documents:detail", pk=document.pk)


@any_role
@require_POST
def batch_request(request: HttpRequest, kind: str) -> HttpResponse:
    doc_kind = _get_kind(kind)
    if doc_kind.batch_objects is None:
        raise Http404
    objects = list(doc_kind.batch_objects(request.user))
    if not objects:
        raise PermissionDenied
    batch = request_batch(
        acting_user=request.user, kind=doc_kind, objects=objects,
        title=doc_kind.batch_label or doc_kind.label,
    )
    messages.success(request, f"{len(objects)} document(s) demandé(s).")
    return redirect("documents:batch_detail", pk=batch.pk)


def _document_context(document: GeneratedDocument) -> dict:
    return {"document": document, "poll_seconds": POLL_SECONDS, "Status": Status}


@any_role
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """S-TRACE-1: the page names the patient concerned, so it is logged too."""
    document = _get_document_for_user(request.user, pk)
    audit.record_view(request, obj=document, patient_id=document.patient_id)
    return render(request, "documents/detail.html", _document_context(document))


@any_role
@require_GET
def document_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment polled by the detail page. Once finished, it no
    longer carries the polling trigger, so polling stops."""
    document = _get_document_for_user(request.user, pk)
    return render(request, "documents/_status.html", _document_context(document))


def _pdf_download(request: HttpRequest, stored, *, ready: bool, not_ready: str,
                  filename: str, documents) -> FileResponse:
    """The stored PDF, streamed through an authorised view only, never cached
    (S-DATA-4), one read logged per document in it (S-TRACE-1); 404 while it
    is not ready or if the file has gone. `?inline` shows it in the browser."""
    if not ready or not stored:
        raise Http404(not_ready)
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    for document in documents:
        audit.record_view(request, obj=document, patient_id=document.patient_id)
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment="inline" not in request.GET,
        filename=filename,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@any_role
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """S-TRACE-1, S-DATA-4: streamed through this view only, each read logged."""
    document = _get_document_for_user(request.user, pk)
    return _pdf_download(request, document.file, ready=document.status == Status.READY,
                         not_ready="Le document n'est pas prêt.",
                         filename=document.download_name, documents=[document])


def _batch_context(batch: DocumentBatch) -> dict:
    return {
        "batch": batch,
        "progress": batch.progress(),
        "poll_seconds": POLL_SECONDS,
        "Status": Status,
        "finished": batch.status in FINISHED,
    }


@any_role
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """S-TRACE-1: lists every document (and patient) of the batch: one row each."""
    batch = _get_batch_for_user(request.user, pk)
    for document in batch.visible_documents:
        audit.record_view(request, obj=document, patient_id=document.patient_id)
    return render(request, "documents/batch_detail.html", _batch_context(batch))


@any_role
@require_GET
def batch_status(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request.user, pk, counts_only=True)
    return render(request, "documents/_batch_status.html", _batch_context(batch))


@any_role
@require_GET
def batch_download(request: HttpRequest, pk: int) -> FileResponse:
    """The merged PDF: one read logged per document (and patient) inside it."""
    batch = _get_batch_for_user(request.user, pk)
    return _pdf_download(
        request, batch.merged_file, ready=batch.status == Status.READY,
        not_ready="Le lot n'est pas prêt.", filename=f"lot-{batch.pk}.pdf",
        documents=[d for d in batch.visible_documents if d.status == Status.READY])
