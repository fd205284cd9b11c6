"""Celery tasks of the document pipeline.

`render_document` acknowledges late (a worker killed mid-render leaves the
message to another worker), retries transient errors (database or broker
hiccups) with exponential back-off, and records any other error as a
permanent failure with its reason. It is idempotent: a finished document is
never rendered again. With no broker configured it runs inline.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.db import DatabaseError, InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

from . import pipeline

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, BrokerError, ConnectionError, TimeoutError)
MAX_RETRIES = 5


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__} : {exc}".strip()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,  # the outcome is on the document, not in the result backend
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=pipeline.soft_time_limit(),
    time_limit=pipeline.render_time_limit(),
)
def render_document(self, document_id: int) -> str:
    try:
        document = pipeline.claim(document_id)
    except pipeline.Busy as busy:
        if self.request.is_eager:
            return "busy"
        raise self.retry(countdown=busy.wait, max_retries=None) from None
    if document is None:
        return "nothing to do"
    token = document.claim
    try:
        pdf = pipeline.produce(document)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= MAX_RETRIES:
            pipeline.fail(document_id, f"échec après {MAX_RETRIES + 1} tentatives — {_reason(exc)}", token)
            raise
        pipeline.release(document_id, token)
        if self.request.is_eager:
            # Inline (no broker): Celery's eager retry would only raise, so
            # try again here, counting the attempt.
            return self.apply(args=[document_id], retries=self.request.retries + 1).get()
        raise  # autoretry_for: back-off, then again
    except SoftTimeLimitExceeded:
        pipeline.fail(document_id, "rendu trop long, interrompu", token)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any other error is permanent and recorded
        logger.exception("document %s: rendering error", document_id)
        pipeline.fail(document_id, _reason(exc), token)
        return "failed"
    try:
        stored = pipeline.store(document_id, token, pdf)
    except TRANSIENT_ERRORS:
        pipeline.release(document_id, token)
        raise
    except DatabaseError as exc:
        pipeline.fail(document_id, _reason(exc), token)
        return "failed"
    return "ready" if stored else "superseded"


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2, retry_backoff_max=60, retry_jitter=True, max_retries=MAX_RETRIES,
)
def merge_batch(self, batch_id: int) -> bool:
    return pipeline.merge(batch_id)


@shared_task(acks_late=True, ignore_result=True)
def resume_stale_documents() -> dict:
    """Re-enqueue lost renders and unmerged complete batches (run when a
    worker starts and periodically by Celery beat)."""
    documents, batches = pipeline.stale_work()
    for pk in documents:
        render_document.delay(pk)
    for pk in batches:
        merge_batch.delay(pk)
    return {"documents": documents, "batches": batches}


@worker_ready.connect
def _resume_on_worker_start(sender=None, **kwargs):
    try:
        resume_stale_documents.delay()
    except Exception:  # noqa: BLE001 - never prevent a worker from starting
        logger.exception("could not enqueue resume_stale_documents")
