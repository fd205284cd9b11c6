"""Issue 16 item 6: one way of writing kilometres, euros and durations."""

from decimal import Decimal

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from core.formatting import NBSP, NNBSP, duration, euros, km, number
from documents.typography import amount


def test_km_has_a_decimal_comma_and_a_non_breaking_space():
    assert km(27) == f"27,0{NBSP}km"
    assert km(27.04) == f"27,0{NBSP}km"
    assert km(Decimal("15.45")) == f"15,5{NBSP}km"  # half up, once
    assert km(1234.5) == f"1{NNBSP}234,5{NBSP}km"
    assert km(None) == "" and km("") == ""


def test_euros_are_written_the_french_way():
    assert euros(Decimal("21.93")) == f"21,93{NBSP}€"
    assert euros(1234.5) == f"1{NNBSP}234,50{NBSP}€"
    assert euros(Decimal("-3.15")) == f"−3,15{NBSP}€"
    assert euros(Decimal("0.005")) == f"0,01{NBSP}€"
    assert euros(None) == "" and euros("abc") == "" and euros("NaN") == ""


def test_durations_in_minutes_then_hours():
    assert duration(45) == f"45{NBSP}min"
    assert duration(65) == f"1{NBSP}h{NBSP}05"
    assert duration(120) == f"2{NBSP}h"
    assert duration(0) == f"0{NBSP}min"
    assert duration(None) == ""


def test_documents_use_the_same_euro_helper():
    assert amount(Decimal("1234.5")) == euros(Decimal("1234.5"))


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_number_round_trips(value):
    text = number(value).replace(NNBSP, "").replace(",", ".").replace("−", "-")
    assert Decimal(text) == value


def test_template_filters_write_a_dash_for_an_unknown_value():
    html = Template(
        "{% load formatting %}{{ a|km }} {{ b|euros }} {{ c|duree }} {{ d|km }}"
    ).render(Context({"a": 27.0, "b": Decimal("5"), "c": 75, "d": None}))
    assert html == f"27,0{NBSP}km 5,00{NBSP}€ 1{NBSP}h{NBSP}15 —"
