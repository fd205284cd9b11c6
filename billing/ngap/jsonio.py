"""The JSON shape of `ngap_quote` (README "Cotation NGAP"): strict parsing of
a passage (or `{"seances": [...]}`) and the JSON of a quote.

Unknown keys, wrong types and impossible values raise `QuoteError` with the
path of the offending field; nothing here ever lets a raw exception out.
"""

from __future__ import annotations

import json
import re
from datetime import date, time
from decimal import Decimal
from typing import Any

from .model import (
    BSI_LEVELS,
    COVERAGES,
    GROUPS,
    PLACES,
    STRUCTURES,
    ZERO,
    ZONES,
    ActFacts,
    DayQuote,
    Passage,
    PatientFacts,
    Quote,
    QuoteError,
)

PASSAGE_KEYS = frozenset(
    {
        "date", "time", "place", "zone", "distance_km", "same_agglomeration", "patient", "acts",
        "urgent_night_prescribed", "sunday_holiday_prescribed", "urgent_call", "palliative",
        "coverage", "care_related_to_ald", "shared_travel_with_previous_patient",
        "ik_km_already_billed_today", "bsi_forfait_already_billed_today", "home_care_prescribed",
        "structure",
    }
)
REQUIRED_PASSAGE_KEYS = ("date", "time", "place", "patient", "acts")
PATIENT_KEYS = frozenset({"birth_date", "bsi_level", "ald", "id"})
ACT_KEYS = frozenset(
    {"key", "coefficient", "label", "id", "tags", "exempt_from_decote", "group", "ald_zone"}
)
_BOOL_KEYS = (
    "same_agglomeration", "urgent_night_prescribed", "sunday_holiday_prescribed", "urgent_call",
    "palliative", "care_related_to_ald", "shared_travel_with_previous_patient",
    "bsi_forfait_already_billed_today",
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_KM = Decimal(10_000)
MAX_COEFFICIENT = Decimal(1_000)


def loads(text: str) -> Any:
    """JSON with exact decimals (no binary floats); NaN/Infinity refused."""

    def _constant(name):
        raise QuoteError(f"valeur non autorisée : {name}")

    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise QuoteError(f"JSON invalide : {exc.msg} (ligne {exc.lineno}, colonne {exc.colno})") from None
    except RecursionError:
        raise QuoteError("JSON trop imbriqué") from None


def _keys(obj: Any, allowed: frozenset, where: str) -> dict:
    if not isinstance(obj, dict):
        raise QuoteError("objet JSON attendu", where)
    unknown = sorted(set(obj) - allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise QuoteError(f"clé inconnue : {unknown[0]}", f"{prefix}{unknown[0]}")
    return obj


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise QuoteError("date attendue au format AAAA-MM-JJ", where)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QuoteError(f"date impossible : {value}", where) from None


def _time(value: Any, where: str) -> time:
    match = _TIME_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise QuoteError("heure attendue au format HH:MM", where)
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise QuoteError(f"heure impossible : {value}", where)
    return time(hour, minute)


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise QuoteError("true ou false attendu", where)
    return value


def _number(value: Any, where: str, *, minimum: Decimal = ZERO, strict: bool = False,
            maximum: Decimal | None = None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise QuoteError("nombre attendu", where)
    number = Decimal(value)
    if not number.is_finite():
        raise QuoteError("nombre fini attendu", where)
    if number < minimum or (strict and number == minimum):
        raise QuoteError(
            "le nombre doit être strictement positif" if strict else "le nombre ne peut pas être négatif",
            where,
        )
    if maximum is not None and number > maximum:
        raise QuoteError(f"valeur invraisemblable (> {maximum})", where)
    return Decimal(int(number)) if number == number.to_integral_value() else number


def _choice(value: Any, choices, where: str, default=None):
    if value is None and default is not None:
        return default
    if value not in choices:
        raise QuoteError(f"valeur inconnue : {value!r} (attendu : {', '.join(choices)})", where)
    return value


def _string(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise QuoteError("texte attendu", where)
    return value


def parse_act(obj: Any, where: str) -> ActFacts:
    obj = _keys(obj, ACT_KEYS, where)
    if "key" not in obj:
        raise QuoteError("clé obligatoire manquante : key", f"{where}.key")
    key = obj["key"]
    if not isinstance(key, str) or not key:
        raise QuoteError("lettre-clé attendue", f"{where}.key")
    coefficient = obj.get("coefficient")
    if coefficient is not None:
        coefficient = _number(coefficient, f"{where}.coefficient", strict=True,
                              maximum=MAX_COEFFICIENT)
    tags = obj.get("tags")
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise QuoteError("liste de textes attendue", f"{where}.tags")
    act_id = obj.get("id")
    if act_id is not None and (not isinstance(act_id, str) or not act_id):
        raise QuoteError("identifiant de catalogue attendu", f"{where}.id")
    exempt = obj.get("exempt_from_decote")
    if exempt is not None and not isinstance(exempt, bool):
        raise QuoteError("true ou false attendu", f"{where}.exempt_from_decote")
    group = obj.get("group")
    if group is not None:
        group = _choice(group, GROUPS, f"{where}.group")
    ald_zone = obj.get("ald_zone")
    if ald_zone in (None, ""):
        ald_related = None
    else:
        ald_related = _choice(ald_zone, ("upper", "lower"), f"{where}.ald_zone") == "upper"
    return ActFacts(
        key=key,
        coefficient=coefficient,
        label=_string(obj.get("label"), f"{where}.label"),
        id=act_id,
        tags=frozenset(tags),
        exempt_from_decote=exempt,
        group=group,
        ald_related=ald_related,
    )


def parse_passage(obj: Any, where: str = "", *, territory: str = "metropole",
                  alsace_moselle: bool = False) -> Passage:
    obj = _keys(obj, PASSAGE_KEYS, where)
    prefix = f"{where}." if where else ""
    for name in REQUIRED_PASSAGE_KEYS:
        if name not in obj:
            raise QuoteError(f"clé obligatoire manquante : {name}", f"{prefix}{name}")
    patient_raw = _keys(obj["patient"], PATIENT_KEYS, f"{prefix}patient")
    if "birth_date" not in patient_raw:
        raise QuoteError("clé obligatoire manquante : birth_date", f"{prefix}patient.birth_date")
    bsi_level = patient_raw.get("bsi_level")
    if bsi_level is not None:
        bsi_level = _choice(bsi_level, BSI_LEVELS, f"{prefix}patient.bsi_level")
    patient_id = patient_raw.get("id")
    if patient_id is not None:
        if isinstance(patient_id, bool) or not isinstance(patient_id, str | int):
            raise QuoteError("identifiant attendu", f"{prefix}patient.id")
        patient_id = str(patient_id)
    patient = PatientFacts(
        birth_date=_date(patient_raw["birth_date"], f"{prefix}patient.birth_date"),
        bsi_level=bsi_level,
        ald=_bool(patient_raw.get("ald"), f"{prefix}patient.ald"),
        id=patient_id,
    )
    acts_raw = obj["acts"]
    if not isinstance(acts_raw, list):
        raise QuoteError("liste d'actes attendue", f"{prefix}acts")
    if not acts_raw:
        raise QuoteError("au moins un acte est nécessaire", f"{prefix}acts")
    acts = tuple(parse_act(a, f"{prefix}acts[{i}]") for i, a in enumerate(acts_raw))
    flags = {name: _bool(obj.get(name), f"{prefix}{name}") for name in _BOOL_KEYS}
    distance = obj.get("distance_km")
    ik_before = obj.get("ik_km_already_billed_today")
    # NGAP-13-1: the prescription says "à domicile" unless told otherwise.
    home_prescribed = obj.get("home_care_prescribed")
    home_prescribed = True if home_prescribed is None else _bool(
        home_prescribed, f"{prefix}home_care_prescribed")
    return Passage(
        date=_date(obj["date"], f"{prefix}date"),
        time=_time(obj["time"], f"{prefix}time"),
        place=_choice(obj["place"], PLACES, f"{prefix}place"),
        zone=_choice(obj.get("zone"), ZONES, f"{prefix}zone", default="plaine"),
        distance_km=ZERO if distance is None else _number(distance, f"{prefix}distance_km",
                                                          maximum=MAX_KM),
        patient=patient,
        acts=acts,
        coverage=_choice(obj.get("coverage"), COVERAGES, f"{prefix}coverage", default="standard"),
        ik_km_already_billed_today=ZERO if ik_before is None else _number(
            ik_before, f"{prefix}ik_km_already_billed_today", maximum=MAX_KM
        ),
        home_care_prescribed=home_prescribed,
        structure=None if obj.get("structure") is None else _choice(
            obj.get("structure"), STRUCTURES, f"{prefix}structure"),
        territory=territory,
        alsace_moselle=alsace_moselle,
        **flags,
    )


def parse_request(obj: Any, *, territory: str = "metropole", alsace_moselle: bool = False):
    """A passage, or a nurse's day `{"seances": [...]}` (a list of passages)."""
    if isinstance(obj, dict) and "seances" in obj:
        _keys(obj, frozenset({"seances"}), "")
        seances = obj["seances"]
        if not isinstance(seances, list) or not seances:
            raise QuoteError("liste de passages non vide attendue", "seances")
        return [
            parse_passage(s, f"seances[{i}]", territory=territory, alsace_moselle=alsace_moselle)
            for i, s in enumerate(seances)
        ]
    return parse_passage(obj, territory=territory, alsace_moselle=alsace_moselle)


# ------------------------------------------------------------------ output


def act_json(act: ActFacts) -> dict:
    """The `ngap_quote` JSON of an act (the inverse of `parse_act`)."""
    out: dict = {"key": act.key, "label": act.label}
    if act.id is not None:
        out["id"] = act.id
    out["coefficient"] = number(act.coefficient)
    if act.tags:
        out["tags"] = sorted(act.tags)
    if act.exempt_from_decote is not None:
        out["exempt_from_decote"] = act.exempt_from_decote
    if act.group is not None:
        out["group"] = act.group
    if act.ald_related is not None:
        out["ald_zone"] = "upper" if act.ald_related else "lower"
    return out


def passage_json(p: Passage) -> dict:
    """The `ngap_quote` JSON of a passage (the inverse of `parse_passage`):
    how a séance stores the facts it was priced from, replayable with the
    command. Territory and Alsace-Moselle are options of the command: the
    caller keeps them beside (see `passage_options`)."""
    patient: dict = {"birth_date": p.patient.birth_date.isoformat(),
                     "bsi_level": p.patient.bsi_level, "ald": p.patient.ald}
    if p.patient.id is not None:
        patient["id"] = p.patient.id
    return {
        "date": p.date.isoformat(),
        "time": p.time.strftime("%H:%M"),
        "place": p.place,
        "zone": p.zone,
        "distance_km": number(p.distance_km),
        "same_agglomeration": p.same_agglomeration,
        "patient": patient,
        "acts": [act_json(a) for a in p.acts],
        "urgent_night_prescribed": p.urgent_night_prescribed,
        "sunday_holiday_prescribed": p.sunday_holiday_prescribed,
        "urgent_call": p.urgent_call,
        "palliative": p.palliative,
        "coverage": p.coverage,
        "care_related_to_ald": p.care_related_to_ald,
        "shared_travel_with_previous_patient": p.shared_travel_with_previous_patient,
        "ik_km_already_billed_today": number(p.ik_km_already_billed_today),
        "bsi_forfait_already_billed_today": p.bsi_forfait_already_billed_today,
        "home_care_prescribed": p.home_care_prescribed,
        "structure": p.structure,
    }


def passage_options(p: Passage) -> dict:
    return {"territory": p.territory, "alsace_moselle": p.alsace_moselle}


def number(value: Decimal | None):
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def line_json(line) -> dict:
    out = {
        "code": line.code,
        "coefficient": number(line.coefficient),
        "rate": float(line.rate),
        "unit_value": _money(line.unit_value),
        "amount": _money(line.amount),
        "rules": list(line.rules),
        "label": line.label,
    }
    if line.zone is not None:
        out["zone"] = line.zone
    if line.tariff_date is not None:
        out["tariff_date"] = line.tariff_date.isoformat()
    return out


def quote_json(q: Quote) -> dict:
    return {
        "lines": [line_json(line) for line in q.lines],
        "total": _money(q.total),
        "amo": _money(q.amo),
        "amo_rate": float(q.amo_rate) if q.amo_rate is not None else None,
        "patient_share": _money(q.patient_share),
        "warnings": list(q.warnings),
    }


def day_json(day: DayQuote) -> dict:
    return {
        "seances": [quote_json(q) for q in day.seances],
        "total": _money(day.total),
        "amo": _money(day.amo),
        "patient_share": _money(day.patient_share),
        "ik_km": number(day.ik_km),
        "warnings": list(day.warnings),
    }


def error_json(exc: QuoteError) -> dict:
    out = {"error": exc.message}
    if exc.field:
        out["field"] = exc.field
    return out
