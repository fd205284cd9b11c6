"""The pipeline with tasks run inline (no broker): idempotence, retries,
failures recorded with their reason, take-over of abandoned renders, batches."""

import datetime as dt
from pathlib import Path

import pytest
from django.db import OperationalError
from django.utils import timezone

from core.models import AuditEvent
from documents import pipeline, registry
from documents.models import GeneratedDocument, Status
from documents.services import request_batch, request_document
from documents.tasks import MAX_RETRIES, render_document, resume_stale_documents
from tests.documents import kinds
from tests.documents.helpers import pdf_text, rewind

pytestmark = pytest.mark.usefixtures("eager")


def _request(user, kind, obj, capture):
    with capture(execute=True):
        document = request_document(acting_user=user, kind=kind, obj=obj)
    document.refresh_from_db()
    return document


def _render_fails(monkeypatch, error: type[Exception], message: str) -> None:
    """Every render of the pipeline raises `error(message)` until undone."""

    def fail(*args, **kwargs):
        raise error(message)

    monkeypatch.setattr(pipeline, "render_pdf", fail)


def test_request_renders_the_pdf_from_the_frozen_data(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert document.status == Status.READY
    assert document.attempts == 1
    assert document.patient_id == 424242
    assert document.download_name == "lettre-essai.pdf"
    with document.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    import hashlib

    assert document.sha256 == hashlib.sha256(content).hexdigest()
    text = pdf_text(content)
    assert "Julie Petit" in text
    assert "1er mars 2026" in text
    assert "1 234,50 €" in text
    assert "1 321,70 €" in text
    assert "Cabinet infirmier des Tilleuls" in text
    assert "Page 1 / 1" in text
    audit = AuditEvent.objects.filter(action="document.request", object_id=str(document.pk)).get()
    assert audit.actor == personas.claire and audit.patient_id == 424242


def test_idempotence_same_document_same_file(personas, letter_kind, django_capture_on_commit_callbacks):
    first = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    second = _request(personas.marc, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert second.pk == first.pk
    assert second.file.name == first.file.name and second.sha256 == first.sha256
    assert second.attempts == 1  # not rendered again
    # Running the task again (a duplicated message) changes nothing either.
    assert render_document.apply(args=[first.pk]).get() == "nothing to do"
    folder = Path(first.file.storage.path(first.file.name)).parent
    assert [f.name for f in folder.iterdir()] == [Path(first.file.name).name]


def test_changed_data_or_version_gives_a_new_document(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    first = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    personas.julie.last_name = "Petit-Durand"
    personas.julie.save()
    renamed = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert renamed.pk != first.pk
    # The first one is still exactly as it was sent.
    assert "Julie Petit-Durand" not in pdf_text(first.file.open("rb").read())
    registry.register(registry.DocumentKind(**{**letter_kind.__dict__, "version": "2"}), replace=True)
    v2 = _request(personas.claire, kinds.LETTER, personas.julie, django_capture_on_commit_callbacks)
    assert v2.pk not in (first.pk, renamed.pk) and v2.template_version == "2"


def test_transient_error_is_retried_then_succeeds(
    personas, letter_kind, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real = pipeline.render_pdf

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("connexion perdue")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "render_pdf", flaky)
    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert document.status == Status.READY
    assert document.attempts == 2
    assert document.error == ""


def test_transient_errors_exhausting_the_retries_are_recorded(
    personas, letter_kind, monkeypatch, django_capture_on_commit_callbacks
):
    _render_fails(monkeypatch, OperationalError, "base injoignable")
    # The request itself does not fail: the failure is on the document.
    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert document.status == Status.FAILED
    assert document.attempts == MAX_RETRIES + 1
    assert "base injoignable" in document.error


def test_permanent_error_is_recorded_with_its_reason(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    document = _request(personas.claire, kinds.BROKEN, personas.julie, django_capture_on_commit_callbacks)
    assert document.status == Status.FAILED
    assert document.attempts == 1
    assert "TemplateDoesNotExist" in document.error
    assert "does_not_exist.html" in document.error
    assert not document.file


def test_asking_again_after_a_failure_renders_again(
    personas, letter_kind, monkeypatch, django_capture_on_commit_callbacks
):
    _render_fails(monkeypatch, ValueError, "modèle cassé")
    failed = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert failed.status == Status.FAILED and "modèle cassé" in failed.error
    monkeypatch.undo()
    again = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    assert again.pk == failed.pk
    assert again.status == Status.READY and again.error == "" and again.attempts == 2


def _left(document, status, started_ago):
    """The state a dead worker leaves (the eager render already finished it)."""
    rewind(
        GeneratedDocument.objects.filter(pk=document.pk),
        status=status, started_at=timezone.now() - started_ago, claim="dead-worker",
        file="", sha256="",
    )


def test_a_render_abandoned_by_a_dead_worker_is_taken_over(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    _left(document, Status.RENDERING, pipeline.stale_after() + dt.timedelta(seconds=5))
    assert resume_stale_documents.apply().get()["documents"] == [document.pk]
    document.refresh_from_db()
    assert document.status == Status.READY and document.attempts == 2
    assert document.claim != "dead-worker"


def test_a_render_in_progress_elsewhere_is_not_taken_over(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    _left(document, Status.RENDERING, dt.timedelta(seconds=1))
    assert render_document.apply(args=[document.pk]).get() == "busy"
    document.refresh_from_db()
    assert document.status == Status.RENDERING and document.claim == "dead-worker"


def test_a_document_left_pending_is_finished_by_a_rerun(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    _left(document, Status.PENDING, dt.timedelta(0))
    assert render_document.apply(args=[document.pk]).get() == "ready"
    document.refresh_from_db()
    assert document.status == Status.READY and document.sha256


def test_a_worker_whose_claim_was_taken_over_drops_its_result(personas, letter_kind):
    from documents.services import prepare_document

    document = prepare_document(acting_user=personas.claire, kind=letter_kind, obj=personas.julie)
    slow = pipeline.claim(document.pk)
    rewind(GeneratedDocument.objects.filter(pk=document.pk), started_at=timezone.now() - dt.timedelta(hours=1))
    fast = pipeline.claim(document.pk)
    assert pipeline.store(document.pk, fast.claim, pipeline.produce(fast)) is True
    assert pipeline.store(document.pk, slow.claim, b"%PDF stale") is False
    document.refresh_from_db()
    assert document.status == Status.READY and document.attempts == 2


def test_batch_gives_one_pdf_per_object_and_a_merged_pdf(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = request_batch(
            acting_user=personas.claire, kind=letter_kind,
            objects=[personas.julie, personas.nadia, personas.marc], title="Lettres d'essai",
        )
    batch.refresh_from_db()
    assert batch.progress() == {"total": 3, "done": 3, "ready": 3, "failed": 0, "percent": 100}
    assert batch.status == Status.READY and batch.merged_sha256
    text = pdf_text(batch.merged_file.open("rb").read())
    assert text.index("Julie Petit") < text.index("Nadia Benali") < text.index("Marc Dubois")
    assert AuditEvent.objects.filter(action="document.request", detail__batch=batch.pk).count() == 3


def test_batch_with_a_failure_prints_the_others_and_says_so(
    personas, letter_kind, monkeypatch, django_capture_on_commit_callbacks
):
    real = pipeline.render_pdf

    def fails_for_nadia(template, frozen, meta):
        if "Nadia" in str(frozen):
            raise ValueError("adresse illisible")
        return real(template, frozen, meta)

    monkeypatch.setattr(pipeline, "render_pdf", fails_for_nadia)
    with django_capture_on_commit_callbacks(execute=True):
        batch = request_batch(
            acting_user=personas.claire, kind=letter_kind,
            objects=[personas.julie, personas.nadia], title="Lettres",
        )
    batch.refresh_from_db()
    assert batch.progress()["failed"] == 1
    assert batch.status == Status.READY
    assert "1 document(s) en échec" in batch.error
    assert "Nadia" not in pdf_text(batch.merged_file.open("rb").read())


def test_a_user_who_may_not_see_the_object_cannot_ask(personas, letter_kind):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        request_document(acting_user=personas.nadia, kind=letter_kind, obj=personas.julie)
    with pytest.raises(PermissionDenied):
        request_batch(acting_user=personas.nadia, kind=letter_kind, objects=[personas.nadia, personas.julie], title="x")


def test_the_filename_gets_the_data_with_real_dates(personas, letter_kind):
    from documents.services import prepare_document

    kind = registry.DocumentKind(
        **{**letter_kind.__dict__, "code": "test_nom", "filename": lambda d: f"lettre-{d['date']:%Y%m%d}"}
    )
    registry.register(kind)
    try:
        document = prepare_document(acting_user=personas.claire, kind=kind, obj=personas.julie)
    finally:
        registry.unregister("test_nom")
    assert document.download_name == "lettre-20260301.pdf"


def test_S_DATA_1_a_ready_document_is_never_changed_nor_deleted(personas):
    from django.core.exceptions import ValidationError

    from tests.documents.helpers import demo_document

    document = demo_document(personas.julie)
    document.sha256 = "0" * 64
    with pytest.raises(ValidationError):
        document.save()
    document.refresh_from_db()
    document.status = Status.PENDING
    with pytest.raises(ValidationError):
        document.save()
    document.refresh_from_db()
    with pytest.raises(ValidationError):
        document.delete()
    assert GeneratedDocument.objects.filter(pk=document.pk, status=Status.READY).exists()


def _claimed_by_process(document, pid: int, *, host: str | None = None):
    identity = pipeline.process_identity().rsplit("|", 1)[0] + f"|{pid}"
    if host is not None:
        identity = f"{host}|" + identity.split("|", 1)[1]
    rewind(GeneratedDocument.objects.filter(pk=document.pk),
        status=Status.RENDERING, started_at=timezone.now(), claim="other-process",
        claimed_by=identity, file="", sha256="",
    )


def test_a_render_whose_process_is_gone_is_taken_over_at_once(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    import subprocess

    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    gone = subprocess.Popen(["true"])
    gone.wait()
    _claimed_by_process(document, gone.pid)
    # Well before the time limit: the claimant's death is enough.
    assert resume_stale_documents.apply().get()["documents"] == [document.pk]
    document.refresh_from_db()
    assert document.status == Status.READY and document.attempts == 2


def test_a_render_of_a_live_or_unknown_process_is_left_alone(
    personas, letter_kind, django_capture_on_commit_callbacks
):
    import subprocess

    document = _request(personas.claire, letter_kind, personas.julie, django_capture_on_commit_callbacks)
    alive = subprocess.Popen(["sleep", "30"])
    try:
        _claimed_by_process(document, alive.pid)
        assert render_document.apply(args=[document.pk]).get() == "busy"
        # Another machine's process cannot be checked: the time limit decides.
        _claimed_by_process(document, 999_999_999, host="another-host")
        assert render_document.apply(args=[document.pk]).get() == "busy"
        assert resume_stale_documents.apply().get()["documents"] == []
    finally:
        alive.kill()
        alive.wait()
    document.refresh_from_db()
    assert document.status == Status.RENDERING and document.claim == "other-process"


def test_a_render_records_the_process_that_claims_it(personas, letter_kind):
    from documents.services import prepare_document

    document = prepare_document(acting_user=personas.claire, kind=letter_kind, obj=personas.julie)
    claimed = pipeline.claim(document.pk)
    assert claimed.claimed_by == pipeline.process_identity()
    assert not pipeline.claimant_is_gone(claimed.claimed_by)
