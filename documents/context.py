"""Freezing a document's data.

The data a document is rendered from is stored as JSON. Dates, datetimes and
decimals are tagged so that the template gets the same Python values back (and
formats them with the usual filters) when the PDF is rendered, possibly years
later, from the frozen copy alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

_TAG = "__t"


def freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [freeze(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        return value
    if isinstance(value, Decimal):
        return {_TAG: "decimal", "v": str(value)}
    if isinstance(value, dt.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {_TAG: "time", "v": value.isoformat()}
    raise TypeError(
        f"document data must be JSON-serialisable (dict, list, str, numbers, dates, "
        f"Decimal); got {type(value).__name__}"
    )


def thaw(value: Any) -> Any:
    if isinstance(value, list):
        return [thaw(v) for v in value]
    if isinstance(value, dict):
        tag = value.get(_TAG)
        if tag == "decimal":
            return Decimal(value["v"])
        if tag == "datetime":
            return dt.datetime.fromisoformat(value["v"])
        if tag == "date":
            return dt.date.fromisoformat(value["v"])
        if tag == "time":
            return dt.time.fromisoformat(value["v"])
        return {k: thaw(v) for k, v in value.items()}
    return value


def canonical_json(frozen: Any) -> str:
    return json.dumps(frozen, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def context_hash(frozen: Any) -> str:
    return hashlib.sha256(canonical_json(frozen).encode()).hexdigest()
