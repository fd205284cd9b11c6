"""Test support: the demo documents and their files.

The demo data is seeded once per test database, but each test gets its own
MEDIA_ROOT; `demo_document()` and `demo_batch()` put the demo PDFs back under
the current MEDIA_ROOT (rendered again from their frozen data) when needed."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from pypdf import PdfReader

from documents import builtin, pipeline
from documents.demo import DEMO_BATCH_TITLE
from documents.models import DocumentBatch, GeneratedDocument, Status


def _restore(field, content: bytes) -> None:
    storage = field.storage
    if not storage.exists(field.name):
        storage.save(field.name, ContentFile(content))


def demo_document(user) -> GeneratedDocument:
    """The demo confidentiality commitment of `user` (julie or nadia)."""
    document = GeneratedDocument.objects.get(
        kind=builtin.CONFIDENTIALITY, object_id=user.pk, status=Status.READY
    )
    if not document.file.storage.exists(document.file.name):
        _restore(document.file, pipeline.produce(document))
    return document


def demo_notice() -> GeneratedDocument:
    document = GeneratedDocument.objects.get(kind=builtin.RGPD_NOTICE, status=Status.READY)
    if not document.file.storage.exists(document.file.name):
        _restore(document.file, pipeline.produce(document))
    return document


def demo_batch() -> DocumentBatch:
    batch = DocumentBatch.objects.get(title=DEMO_BATCH_TITLE)
    if not batch.merged_file.storage.exists(batch.merged_file.name):
        for item in batch.items.select_related("document"):
            document = item.document
            if not document.file.storage.exists(document.file.name):
                _restore(document.file, pipeline.produce(document))
        _restore(batch.merged_file, b"%PDF-1.7 restored for the test\n")
    return batch


def pdf_text(content: bytes) -> str:
    """The text of a PDF, non-breaking spaces read as plain spaces."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def rewind(queryset, **fields) -> int:
    """Put documents back in a state the pipeline left them in (a render in
    progress, a dead worker's claim) for a test. A ready document refuses any
    change in PostgreSQL (S-DATA-1); the simulation turns the triggers off
    for its own update only."""
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        count = queryset.update(**fields)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    return count
