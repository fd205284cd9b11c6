import pytest


@pytest.fixture
def eager():
    """Documents render inline, whatever the broker setting (as with no broker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
