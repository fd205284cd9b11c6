"""Pages and downloads: status polling, permissions (foreign → 404),
every download logged (S-TRACE-1), no inline script or style (S-DEPLOY-2)."""

import re

import pytest
from django.urls import reverse

from core.models import AuditEvent, Cabinet
from documents import builtin
from documents.models import DocumentBatch, GeneratedDocument, Status
from tests.documents import kinds
from tests.documents.helpers import demo_batch, demo_document, pdf_text, rewind


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script>"
    assert " style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_S_TRACE_1_download_is_logged_with_the_patient(personas, letter_kind, django_capture_on_commit_callbacks, eager):
    from documents.services import request_document

    with django_capture_on_commit_callbacks(execute=True):
        document = request_document(acting_user=personas.claire, kind=letter_kind, obj=personas.julie)
    response = personas.client("julie").get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="lettre-essai.pdf"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert "Julie Petit" in pdf_text(b"".join(response.streaming_content))
    event = AuditEvent.objects.filter(action="view", object_id=str(document.pk)).get()
    assert event.actor == personas.julie
    assert event.patient_id == 424242
    assert event.view == "documents:download"
    assert event.object_type == "documents.GeneratedDocument"


def test_foreign_document_is_not_found_and_not_logged(personas):
    document = demo_document(personas.julie)
    before = AuditEvent.objects.count()
    for name in ("detail", "status", "download"):
        response = personas.client("nadia").get(reverse(f"documents:{name}", args=[document.pk]))
        assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_document_of_an_unregistered_kind_is_not_found(personas, letter_kind, django_capture_on_commit_callbacks, eager):
    from documents import registry
    from documents.services import request_document

    with django_capture_on_commit_callbacks(execute=True):
        document = request_document(acting_user=personas.claire, kind=letter_kind, obj=personas.julie)
    registry.unregister(kinds.LETTER)
    assert personas.client("claire").get(reverse("documents:detail", args=[document.pk])).status_code == 404


def test_status_polls_while_pending_and_stops_when_ready(personas):
    document = demo_document(personas.julie)
    client = personas.client("julie")
    rewind(GeneratedDocument.objects.filter(pk=document.pk), status=Status.PENDING)
    html = client.get(reverse("documents:status", args=[document.pk])).content.decode()
    assert f'hx-get="{reverse("documents:status", args=[document.pk])}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "En attente" in html
    rewind(GeneratedDocument.objects.filter(pk=document.pk), status=Status.READY)
    html = client.get(reverse("documents:status", args=[document.pk])).content.decode()
    assert "hx-trigger" not in html
    assert reverse("documents:download", args=[document.pk]) in html


def test_a_failure_is_shown_with_its_reason(personas):
    document = demo_document(personas.julie)
    rewind(GeneratedDocument.objects.filter(pk=document.pk),
        status=Status.FAILED, error="TemplateDoesNotExist : documents/pdf/x.html"
    )
    response = personas.client("julie").get(reverse("documents:detail", args=[document.pk]))
    html = response.content.decode()
    assert "Échec" in html and "TemplateDoesNotExist : documents/pdf/x.html" in html
    assert "hx-trigger" not in html
    assert personas.client("julie").get(reverse("documents:download", args=[document.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["claire", "julie", "nadia", "admin"])
def test_pages_carry_no_inline_code(personas, persona):
    client = personas.client(persona)
    pages = [reverse("documents:list")]
    if persona in ("claire", "julie", "admin"):
        document = demo_document(personas.julie)
        pages += [reverse("documents:detail", args=[document.pk])]
    if persona in ("claire", "admin"):
        pages += [reverse("documents:batch_detail", args=[demo_batch().pk])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _no_inline_code(response.content.decode())


def test_request_view_returns_at_once_and_redirects_to_the_status_page(personas):
    # Same data as the demo notice: the same document is returned (idempotence).
    existing = GeneratedDocument.objects.get(kind=builtin.RGPD_NOTICE)
    response = personas.client("nadia").post(
        reverse("documents:request", args=[builtin.RGPD_NOTICE, Cabinet.current().pk])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[existing.pk])
    assert GeneratedDocument.objects.filter(kind=builtin.RGPD_NOTICE).count() == 1


def test_request_view_refuses_get_unknown_kinds_and_missing_objects(personas):
    client = personas.client("claire")
    assert client.get(reverse("documents:request", args=[builtin.RGPD_NOTICE, 1])).status_code == 405
    assert client.post(reverse("documents:request", args=["inconnu", 1])).status_code == 404
    assert client.post(reverse("documents:request", args=[builtin.CONFIDENTIALITY, 999999])).status_code == 404


def test_batch_request_creates_one_document_per_member(personas):
    response = personas.client("admin").post(
        reverse("documents:batch_request", args=[builtin.CONFIDENTIALITY])
    )
    assert response.status_code == 302
    batch = DocumentBatch.objects.exclude(title__contains="démo").get()
    assert batch.items.count() == 6
    html = personas.client("admin").get(response["Location"]).content.decode()
    assert "<progress" in html and "6 documents" in html


def test_S_TRACE_1_merged_download_logs_every_document(personas):
    batch = demo_batch()
    before = AuditEvent.objects.filter(action="view").count()
    response = personas.client("claire").get(reverse("documents:batch_download", args=[batch.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert AuditEvent.objects.filter(action="view").count() == before + 2


def test_S_TRACE_1_the_document_page_is_logged_too(personas):
    document = demo_document(personas.julie)
    response = personas.client("claire").get(reverse("documents:detail", args=[document.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="view", object_id=str(document.pk)).latest("pk")
    assert event.actor == personas.claire and event.view == "documents:detail"
    # Polling the status (no names shown) adds nothing.
    before = AuditEvent.objects.count()
    personas.client("claire").get(reverse("documents:status", args=[document.pk]))
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    "name", ["detail", "status", "download", "batch_detail", "batch_status", "batch_download"]
)
def test_S_INPUT_1_an_id_beyond_any_integer_column_is_not_found(personas, name):
    response = personas.client("claire").get(reverse(f"documents:{name}", args=[10**25]))
    assert response.status_code == 404


def test_S_INPUT_1_a_request_for_an_id_beyond_any_integer_column_is_not_found(personas):
    response = personas.client("claire").post(
        reverse("documents:request", args=[builtin.CONFIDENTIALITY, 10**25])
    )
    assert response.status_code == 404
