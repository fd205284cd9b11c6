"""The NGAP act catalogue as the cabinet app sees it: a thin adapter over the
pure-Python catalogue of the billing app (`billing/ngap/catalogue.py`), which
cabinet may import since it touches no billing model."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


# ------------------------------------------------------------------ typed acts
# One way to read an act typed by hand (the secretary's entry, the nurse's
# « Ajouter un acte réalisé »), and one list of suggestions for it.

_KEY_COEF = re.compile(r"^([A-Za-z]{2,4})\s*(\d+(?:[.,]\d+)?)?$")
_MIN_COEF, _MAX_COEF = Decimal("0.01"), Decimal(100)


class ActInputError(ValueError):
    """A typed act that cannot be read; `field` is "act" or "coefficient"."""

    def __init__(self, message: str, field: str = "act"):
        super().__init__(message)
        self.message, self.field = message, field


def _coef(value, key: str) -> str | None:
    if key in catalogue.EURO_FORFAITS or value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def parse(text: str, coefficient: Decimal | None = None) -> dict | None:
    """The act typed as a catalogue code ("XVI-1-1-IM", or an option's
    "code — label"), or a letter key and its coefficient ("AMI 4", "AMI4,1"),
    in the JSON shape of a visit's act; None when nothing is typed.
    `coefficient` (a separate field) overrides the typed or catalogue one."""
    text = (text or "").strip()
    if not text:
        if coefficient is not None:
            raise ActInputError("Indiquez l'acte de ce coefficient.")
        return None
    entry = catalogue.get(text.split(" — ")[0].strip().upper())
    if entry is not None:
        key = entry.key
        if coefficient is None and key not in catalogue.EURO_FORFAITS:
            coefficient = entry.coefficient
        return {"catalogue_id": entry.id, "key": key, "coefficient": _coef(coefficient, key),
                "label": entry.designation[:255], "ald_zone": ""}
    match = _KEY_COEF.match(text)
    key = match.group(1).upper() if match else None
    if key is None or key not in catalogue.KEYS:
        raise ActInputError("Acte inconnu : choisissez dans la nomenclature ou tapez la "
                            "lettre-clé et le coefficient (ex. AMI 4).")
    if match.group(2) and coefficient is None:
        coefficient = Decimal(match.group(2).replace(",", "."))
    if key not in catalogue.EURO_FORFAITS and coefficient is None:
        raise ActInputError(f"Indiquez le coefficient de l'acte {key}.", "coefficient")
    if coefficient is not None and not _MIN_COEF <= coefficient <= _MAX_COEF:
        raise ActInputError("Coefficient invraisemblable.", "coefficient")
    return {"catalogue_id": "", "key": key, "coefficient": _coef(coefficient, key),
            "label": "", "ald_zone": ""}


def typed_value(act) -> str:
    """What to type for a prescribed act (a `PrescribedAct` or a visit's act
    dict): its catalogue code, else its letter key and coefficient."""
    get = act.get if isinstance(act, dict) else lambda name: getattr(act, name, None)
    if get("catalogue_id"):
        return get("catalogue_id")
    coefficient = get("coefficient")
    if coefficient not in (None, ""):
        coefficient = format(Decimal(str(coefficient)).normalize(), "f")
    return f"{get('key')} {coefficient or ''}".strip()


def _prescribed_label(act) -> str:
    if not isinstance(act, dict):
        return str(act)  # PrescribedAct: "AMI 4 — label"
    label = act.get("label") or ""
    return f"{typed_value({**act, 'catalogue_id': ''})}{' — ' + label if label else ''}"


def options(query: str, prescribed: Iterable = (), limit: int = 15) -> list[tuple[str, str]]:
    """Type-ahead options (value, label): the prescription's acts first,
    then the catalogue acts matching the query (code, key and coefficient,
    words of the label)."""
    result = [(typed_value(act), f"Prescrit : {_prescribed_label(act)}") for act in prescribed]
    seen = {value for value, _ in result}
    if (query or "").strip():
        for act in catalogue.search(query[:80], limit=limit):
            if act.id not in seen:
                result.append((act.id, f"{act.cotation} — {act.designation[:90]}"))
    return result


def same_act(a: dict, b: dict) -> bool:
    """Two acts in a visit's JSON shape are the same act: the same catalogue
    code when both have one, else the same letter key and coefficient."""
    if a.get("catalogue_id") and b.get("catalogue_id"):
        return a["catalogue_id"] == b["catalogue_id"]
    return ((a.get("key") or "").upper() == (b.get("key") or "").upper()
            and _normal(a.get("coefficient")) == _normal(b.get("coefficient")))


def _normal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value)).normalize()
