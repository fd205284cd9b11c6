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


def test_the_request_returns_at_once_and_the_page_follows_the_worker(
    celery_worker_factory, letter_kind, tmp_path
):
    """The web request never waits for the PDF: it answers while the worker
    is still rendering; the status fragment polls until the worker is done,
    then offers the download."""
    from django.test import Client
    from django.urls import reverse

    from core.models import User

    marker = tmp_path / "hold-renders"
    marker.touch()
    celery_worker_factory(settings_module=WORKER_SETTINGS, extra_env={"DOCUMENTS_TEST_SLOW_MARKER": str(marker)})
    claire = User.objects.get(username="claire")
    julie = User.objects.get(username="julie")
    client = Client()
    client.force_login(claire)
    response = client.post(reverse("documents:request", args=[letter_kind.code, julie.pk]))
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind=letter_kind.code, object_id=julie.pk)
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    # The worker, not the request, took the render, and it is still held.
    _wait_for(lambda: _document(document.pk).status == Status.RENDERING, 30, "the worker to start")
    assert not _document(document.pk).file
    status_url = reverse("documents:status", args=[document.pk])
    html = client.get(status_url).content.decode()
    assert "hx-trigger" in html and "En cours" in html
    assert reverse("documents:download", args=[document.pk]) not in html

    marker.unlink()
    _wait_for(lambda: _document(document.pk).status == Status.READY, 60, "the worker's render")
    html = client.get(status_url).content.decode()
    assert "hx-trigger" not in html
    download = client.get(reverse("documents:download", args=[document.pk]))
    assert download.status_code == 200
    assert "Julie Petit" in pdf_text(b"".join(download.streaming_content))


def test_a_real_worker_retries_a_transient_error(celery_worker_factory, letter_kind, tmp_path):
    """The first render meets a lost database connection: the task goes back
    to "en attente", Celery retries it after a back-off, and it succeeds."""
    from core.models import User

    marker = tmp_path / "fail-once"
    marker.touch()
    celery_worker_factory(settings_module=WORKER_SETTINGS, extra_env={"DOCUMENTS_TEST_FLAKY_MARKER": str(marker)})
    claire = User.objects.get(username="claire")
    document = request_document(
        acting_user=claire, kind=letter_kind, obj=User.objects.get(username="julie")
    )
    done = _wait_for(lambda: (d := _document(document.pk)).is_finished and d, 60, "the retried render")
    assert not marker.exists()  # the failure did happen
    assert done.status == Status.READY, done.error
    assert done.attempts == 2 and done.error == ""
    assert "Julie Petit" in pdf_text(done.file.open("rb").read())


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
    cours", is not lost, and a worker started later takes it over and
    finishes it. The new worker waits until the render is stale (hard time
    limit passed), as a worker on another machine, which cannot see that the
    killed process is gone, would have to."""
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


def test_a_pool_process_killed_mid_render_is_replaced_and_the_render_taken_over_at_once(
    celery_worker_factory, letter_kind, tmp_path
):
    """SIGKILL of the process that renders (out of memory…): the message is
    given back (acknowledged late, rejected on worker loss), and the next
    attempt sees that the claimant is gone, so it does not wait for the time
    limit, which is set far beyond this test's patience."""
    from core.models import User

    marker = tmp_path / "hold-renders"
    marker.touch()
    env = {"DOCUMENTS_TEST_SLOW_MARKER": str(marker), "DOCUMENTS_RENDER_TIME_LIMIT": "600"}
    celery_worker_factory(settings_module=WORKER_SETTINGS, extra_env=env)
    claire = User.objects.get(username="claire")
    document = request_document(
        acting_user=claire, kind=letter_kind, obj=User.objects.get(username="julie")
    )
    _wait_for(lambda: _document(document.pk).status == Status.RENDERING, 30, "the render to start")
    held = _document(document.pk)
    pid = int(held.claimed_by.rsplit("|", 1)[1])
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    # The next attempt is held too until now, so the killed one cannot have
    # finished first.
    marker.unlink()
    done = _wait_for(lambda: (d := _document(document.pk)).is_finished and d, 60, "the take-over")
    assert done.status == Status.READY, done.error
    assert done.attempts == 2 and done.claimed_by != held.claimed_by
    assert "Julie Petit" in pdf_text(done.file.open("rb").read())
