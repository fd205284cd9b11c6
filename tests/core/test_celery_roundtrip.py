import pytest
from django.db import connection

from core.tasks import ping


def test_ping_runs_inline_when_eager(db):
    """Eager default (no broker configured): the same task runs in-process."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        result = ping.delay("bonjour")
    finally:
        app.conf.task_always_eager = previous
    assert result.get(timeout=1) == {"echo": "bonjour", "database": connection.vendor, "db_ok": True}


def test_eager_mode_follows_the_broker_setting(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.CELERY_BROKER_URL)


@pytest.mark.celery_worker
def test_ping_round_trip_through_a_real_worker(celery_worker_process):
    result = ping.delay("aller-retour")
    payload = result.get(timeout=30)
    assert payload["echo"] == "aller-retour"
    assert payload["db_ok"] is True
