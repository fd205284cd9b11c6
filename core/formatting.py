"""The one way numbers are written to a French reader: kilometres, euros and
durations, on pages, in messages and in documents (« 27,0 km », « 1 234,56 € »,
« 1 h 05 »). Pure functions, no Django model; the template filters are in
`core/templatetags/formatting.py`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"  # between a number and its unit: never broken across lines
NNBSP = "\u202f"  # thin, between groups of thousands


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def number(value, digits: int = 2) -> str:
    """1234.5 → « 1 234,50 » (digits after the comma, rounded half up once)."""
    decimal = _decimal(value)
    if decimal is None:
        return ""
    quantum = Decimal(1).scaleb(-digits)
    rounded = decimal.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    text = f"{abs(rounded):.{digits}f}"
    units, _, fraction = text.partition(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    whole = NNBSP.join(groups)
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


def km(value, digits: int = 1) -> str:
    """27 → « 27,0 km »; nothing for an unknown distance."""
    text = number(value, digits)
    return f"{text}{NBSP}km" if text else ""


def euros(value, currency: str = "€") -> str:
    """1234.5 → « 1 234,50 € »; nothing for an unknown amount."""
    text = number(value, 2)
    if not text:
        return ""
    return f"{text}{NBSP}{currency}" if currency else text


def duration(minutes) -> str:
    """45 → « 45 min », 65 → « 1 h 05 », 120 → « 2 h »; nothing when unknown."""
    decimal = _decimal(minutes)
    if decimal is None:
        return ""
    total = int(decimal.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "−" if total < 0 else ""
    hours, rest = divmod(abs(total), 60)
    if not hours:
        return f"{sign}{rest}{NBSP}min"
    if not rest:
        return f"{sign}{hours}{NBSP}h"
    return f"{sign}{hours}{NBSP}h{NBSP}{rest:02d}"
