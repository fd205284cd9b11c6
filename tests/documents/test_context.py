import datetime as dt
from decimal import Decimal

import pytest

from documents.context import context_hash, freeze, thaw


def test_dates_and_decimals_survive_the_round_trip():
    data = {
        "start": dt.date(2026, 7, 1),
        "at": dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC),
        "rate": Decimal("7.50"),
        "lines": [{"amount": Decimal("12.30")}],
        "n": 3, "ok": True, "none": None,
    }
    assert thaw(freeze(data)) == data


def test_hash_ignores_key_order_but_not_values():
    a = freeze({"a": 1, "b": Decimal("2.00")})
    b = freeze({"b": Decimal("2.00"), "a": 1})
    assert context_hash(a) == context_hash(b)
    assert context_hash(a) != context_hash(freeze({"a": 1, "b": Decimal("2.01")}))


def test_objects_must_be_turned_into_data_first(personas):
    with pytest.raises(TypeError):
        freeze({"user": personas.claire})
