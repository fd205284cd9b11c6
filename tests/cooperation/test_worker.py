"""The doctor's report rendered by a real Celery worker on the real broker (skipped
without CELERY_BROKER_URL, mandatory in CI)."""

from __future__ import annotations

import time

import pytest

from cooperation.documents import DOCTOR_REPORT
from cooperation.models import DelegatedAct
from core.models import User
from documents.models import GeneratedDocument, Status
from documents.services import request_document
from tests.documents.helpers import pdf_text

pytestmark = pytest.mark.celery_worker


def test_a_real_worker_renders_the_doctor_report(celery_worker_process):
    act = DelegatedAct.objects.filter(act_code="suivi-mensuel").order_by("pk").first()
    claire = User.objects.get(username="claire")
    document = request_document(acting_user=claire, kind=DOCTOR_REPORT, obj=act)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document = GeneratedDocument.objects.get(pk=document.pk)
        if document.is_finished:
            break
        time.sleep(0.2)
    assert document.status == Status.READY, document.error
    text = pdf_text(document.file.open("rb").read())
    assert "VIDAL" in text and "Madeleine" in text
    assert "Compte rendu d" in text
    assert "Évaluation globale sans modification" in text
