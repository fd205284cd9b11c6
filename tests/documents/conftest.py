import pytest

from documents import registry
from tests.documents import kinds


@pytest.fixture
def letter_kind():
    kinds.register_all()
    yield registry.get(kinds.LETTER)
    for kind in kinds.KINDS:
        registry.unregister(kind.code)


@pytest.fixture
def eager():
    """Tasks run inline, whatever the broker setting (as with no broker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
