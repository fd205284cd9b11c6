"""The NGAP act catalogue as the cabinet app sees it: a thin adapter over the
pure-Python catalogue of the billing app (`billing/ngap/catalogue.py`), which
cabinet may import since it touches no billing model. Without it, acts are
typed in by hand (key + coefficient + label)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Act:
    id: str
    key: str
    coefficient: Decimal | None
    label: str
    cotation: str


def _module():
    try:
        from billing.ngap import catalogue
    except ImportError:
        return None
    return catalogue


def available() -> bool:
    return _module() is not None


def _adapt(act) -> Act:
    coefficient = None if act.key in getattr(_module(), "EURO_FORFAITS", ()) else act.coefficient
    return Act(id=act.id, key=act.key, coefficient=coefficient, label=act.designation[:255],
               cotation=act.cotation)


def get(act_id: str) -> Act | None:
    module = _module()
    if module is None:
        return None
    act = module.get(act_id.strip().upper())
    return _adapt(act) if act is not None else None


def search(query: str, limit: int = 15) -> list[Act]:
    module = _module()
    if module is None or not (query or "").strip():
        return []
    return [_adapt(a) for a in module.search(query, limit=limit)]
