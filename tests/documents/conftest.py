import pytest

from documents import registry
from tests.documents import kinds


@pytest.fixture
def letter_kind():
    kinds.register_all()
    yield registry.get(kinds.LETTER)
    for kind in kinds.KINDS:
        registry.unregister(kind.code)

