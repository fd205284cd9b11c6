"""The pipeline with real Celery worker processes on the real broker (Redis)
and the test database: skipped without CELERY_BROKER_URL, mandatory in CI."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.conf import settings

from documents import pipeline
from documents.models import GeneratedDocument, Status
from documents.services import request_batch, request_document
from tests.documents.helpers import pdf_text

pytestmark = pytest.mark.celery_worker

WORKER_SETTINGS = "tests.documents.worker_settings"


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _document(pk: int) -> GeneratedDocument:
    return GeneratedDocument.objects.get(pk=pk)


def _unacked_render_message(document_id: int, *, forget: bool = False) -> bool:
    """Whether the broker (Redis) holds the render message as delivered but
    not acknowledged; `forget` drops it, so no message of this test's queue
    is left behind for the broker to restore later."""
    import json

    import redis

    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    for tag, raw in broker.hgetall("unacked").items():
        message, _exchange, routing_key = json.loads(raw)
        headers = message.get("headers", {})
        if (
            routing_key == settings.CELERY_TASK_DEFAULT_QUEUE
            and headers.get("task") == "documents.tasks.render_document"
            and headers.get("argsrepr") == f"({document_id},)"
        ):
            if forget:
                broker.hdel("unacked", tag)
                broker.zrem("unacked_index", tag)
            return True
    return False


def test_a_real_worker_renders_the_pdf(celery_worker_factory, letter_kind):
    from core.models import User

    celery_worker_factory(settings_module=WORKER_SETTINGS)
    claire = User.objects.get(username="claire")
    julie = User.objects.get(username="julie")
    document = request_document(acting_user=claire, kind=letter_kind, obj=julie)
    # The request returned before the render: the worker does it.
    ready = _wait_for(
        lambda: (d := _document(document.pk)).is_finished and d, 60, "the worker's render"
    )
    assert ready.status == Status.READY, ready.error
    text = pdf_text(ready.file.open("rb").read())
    assert "Julie Petit" in text
    assert "1er mars 2026" in text
    assert "1 234,50 €" in text and "87,20 €" in text and "1 321,70 €" in text
    assert "du 02/03/2026 au 31/03/2026" in text


def test_a_real_worker_records_a_rendering_error(celery_worker_factory, letter_kind):
    from core.models import User
    from tests.documents import kinds

    celery_worker_factory(settings_module=WORKER_SETTINGS)
    claire = User.objects.get(username="claire")
    document = request_document(acting_user=claire, kind=kinds.BROKEN, obj=claire)
    failed = _wait_for(lambda: (d := _document(document.pk)).is_finished and d, 60, "the failure")
    assert failed.status == Status.FAILED
    assert "TemplateDoesNotExist" in failed.error


def test_a_worker_killed_mid_render_leaves_the_document_to_the_next_worker(
    celery_worker_factory, letter_kind, tmp_path
):
    """SIGKILL of the whole worker while it renders: the document stays "en
    cours", is not lost, and a worker started later takes it over (the
    render is stale once the hard time limit has passed) and finishes it."""
    from core.models import User

    marker = tmp_path / "hold-renders"
    marker.touch()
    limit = 8  # soft limit 6 s: the kill below comes well before it
    env = {"DOCUMENTS_TEST_SLOW_MARKER": str(marker), "DOCUMENTS_RENDER_TIME_LIMIT": str(limit),
           "DOCUMENTS_STALE_MARGIN": "1"}
    first = celery_worker_factory(settings_module=WORKER_SETTINGS, extra_env=env)
    claire = User.objects.get(username="claire")
    document = request_document(
        acting_user=claire, kind=letter_kind, obj=User.objects.get(username="julie")
    )
    _wait_for(lambda: _document(document.pk).status == Status.RENDERING, 30, "the render to start")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    held = _document(document.pk)
    assert held.status == Status.RENDERING and held.attempts == 1 and not held.file
    # Acknowledged late: the broker still holds the message of the killed render.
    assert _unacked_render_message(document.pk)
    marker.unlink()

    # Wait until the dead render is stale (hard limit + margin), then start
    # another worker: on start it resumes the abandoned render.
    stale_at = held.started_at.timestamp() + limit + 1
    time.sleep(max(0.0, stale_at - time.time()) + 0.5)
    celery_worker_factory(settings_module=WORKER_SETTINGS, extra_env=env)
    done = _wait_for(lambda: (d := _document(document.pk)).is_finished and d, 60, "the take-over")
    assert done.status == Status.READY, done.error
    assert done.attempts == 2
    assert "Julie Petit" in pdf_text(done.file.open("rb").read())
    _unacked_render_message(document.pk, forget=True)


def test_a_batch_on_two_workers_gives_every_pdf_and_the_merged_one(celery_worker_factory, letter_kind):
    from core.models import User

    celery_worker_factory(settings_module=WORKER_SETTINGS)
    celery_worker_factory(settings_module=WORKER_SETTINGS)
    claire = User.objects.get(username="claire")
    members = list(User.objects.exclude(username="admin").order_by("pk"))
    batch = request_batch(acting_user=claire, kind=letter_kind, objects=members, title="Lettres")

    def merged():
        batch.refresh_from_db()
        return batch.status in (Status.READY, Status.FAILED)

    _wait_for(merged, 90, "the merged PDF")
    assert batch.status == Status.READY
    assert batch.progress()["ready"] == len(members)
    text = pdf_text(batch.merged_file.open("rb").read())
    for member in members:
        assert member.get_full_name() in text
    assert pipeline.stale_after().total_seconds() > 0 and settings.MEDIA_ROOT
