"""The NGAP act catalogue as the cabinet app sees it: a thin adapter over the
pure-Python catalogue of the billing app (`billing/ngap/catalogue.py`), which
cabinet may import since it touches no billing model."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from billing.ngap import catalogue


@dataclass(frozen=True)
class Act:
    id: str
    key: str
    coefficient: Decimal | None
    label: str
    cotation: str


def _adapt(act) -> Act:
    coefficient = None if act.key in catalogue.EURO_FORFAITS else act.coefficient
    return Act(id=act.id, key=act.key, coefficient=coefficient, label=act.designation[:255],
               cotation=act.cotation)


def get(act_id: str) -> Act | None:
    act = catalogue.get(act_id.strip().upper())
    return _adapt(act) if act is not None else None


def search(query: str, limit: int = 15) -> list[Act]:
    if not (query or "").strip():
        return []
    return [_adapt(a) for a in catalogue.search(query, limit=limit)]
