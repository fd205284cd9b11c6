"""French typography for printed documents: non-breaking spaces before the
high punctuation (: ; ! ?) and inside « » quotes, straight quotes turned into
French ones, amounts written "1 234,56 €" that never break across lines, and
long dates with "1er"."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.formats import date_format

from core import formatting

NBSP = "\u00a0"  # before ":" and inside « »
NNBSP = "\u202f"  # thin, before ; ! ? and between thousands

_SPACE_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]*:(?=\s|$)")
_SPACE_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]*([;!?])(?=\s|$|[!?])")
_STRAIGHT_QUOTES = re.compile(r'"([^"\n]+)"')
_OPEN_GUILLEMET = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_GUILLEMET = re.compile(r"[ \u00a0\u202f]*»")


def french(text: str) -> str:
    if not text:
        return ""
    text = _STRAIGHT_QUOTES.sub(r"«\1»", str(text))
    text = _OPEN_GUILLEMET.sub("«" + NBSP, text)
    text = _CLOSE_GUILLEMET.sub(NBSP + "»", text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _SPACE_BEFORE_HIGH.sub(NNBSP + r"\1", text)
    return text.replace("'", "’")


def amount(value, currency: str = "€") -> str:
    """1234.5 → "1 234,50 €" (thin non-breaking space between thousands): the
    project's one euro formatting (`core.formatting.euros`)."""
    return formatting.euros(value, currency)


def long_date(value) -> str:
    """date(2026, 1, 1) → "1er janvier 2026"."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{date_format(value, 'F Y')}"
