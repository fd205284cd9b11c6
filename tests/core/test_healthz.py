import json
import logging

from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.CELERY_BROKER_URL else "eager")


def test_healthz_503_when_broker_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] == "unreachable"


def test_healthz_reports_pages_that_render(client, db):
    body = json.loads(client.get(reverse("healthz")).content)
    assert body["pages"] == "ok"


def test_healthz_503_when_pages_cannot_render(client, db, settings, tmp_path, caplog):
    """Static files collected without whitenoise's manifest (the image built
    with debug on): every page fails with « Missing staticfiles manifest
    entry »; the health check must fail too, not answer 200."""
    settings.STATIC_ROOT = tmp_path  # collected, but no manifest in it
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # (changing these settings rebuilds the static files storage: Django's setting_changed)
    with caplog.at_level(logging.ERROR, logger="core.views"):
        response = client.get(reverse("healthz"))
    assert "Missing staticfiles manifest entry" in caplog.text
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["pages"] == "error" and body["status"] == "error"
