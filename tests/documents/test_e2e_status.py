"""In a real browser (strict CSP, htmx from static files): the document page
updates itself until the PDF is ready, then offers the download."""

import pytest
from django.conf import settings
from django.test import Client

from documents import builtin
from documents.models import GeneratedDocument, Status
from tests.documents.helpers import rewind

pytestmark = pytest.mark.e2e


def test_the_status_page_polls_until_the_pdf_is_ready(browser, live_server, transactional_demo):
    julie = transactional_demo.julie
    document = GeneratedDocument.objects.get(kind=builtin.CONFIDENTIALITY, object_id=julie.pk)
    rewind(GeneratedDocument.objects.filter(pk=document.pk), status=Status.PENDING)
    client = Client()
    client.force_login(julie)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    assert page.get_by_text("En attente").is_visible()
    download = page.get_by_role("link", name="Télécharger le PDF")
    assert download.count() == 0
    # The worker finishes: the page notices by itself.
    rewind(GeneratedDocument.objects.filter(pk=document.pk), status=Status.READY)
    download.wait_for(timeout=10_000)
    assert download.get_attribute("href") == f"/documents/{document.pk}/pdf/"
    assert not problems, problems
    context.close()
