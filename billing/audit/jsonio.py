"""The JSON shape of `invoice_audit` (README, "Audit avant envoi"): strict
parsing into `AuditInput`, and the JSON of the result.

Unknown keys, wrong types, impossible values, unknown or duplicate ids and
lone surrogates raise `QuoteError` naming the field; nothing here lets a raw
exception out. The séance's `facts` are parsed exactly as `ngap_quote` does.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from billing.ngap import jsonio as ngap_jsonio
from billing.ngap.model import BSI_LEVELS, QuoteError
from core import jsonio as safe_json

from .model import (
    AuditInput,
    AuditResult,
    BilledLine,
    PatientInfo,
    PrescribedAct,
    PrescriptionInfo,
    SeanceInfo,
    TourneeInfo,
)

TOP_KEYS = frozenset({"patients", "prescriptions", "seances", "tournees"})
PATIENT_KEYS = frozenset({"id", "bsi_level", "bsi_date"})
PRESCRIPTION_KEYS = frozenset({"id", "patient", "date", "start", "end", "acts", "home", "night",
                               "daily"})
PRESCRIBED_ACT_KEYS = frozenset({"key", "coefficient"})
SEANCE_KEYS = frozenset({"id", "patient", "nurse", "prescription", "facts", "lines"})
LINE_KEYS = frozenset({"code", "coefficient", "rate", "amount"})
TOURNEE_KEYS = frozenset({"nurse", "date", "passages", "km"})
RATES = (Decimal(0), Decimal("0.5"), Decimal(1))
MAX_AMOUNT = Decimal(100_000)
MAX_ITEMS = 20_000


def loads(text: str) -> Any:
    data = ngap_jsonio.loads(text)
    _refuse_surrogates(data, "")
    return data


def _refuse_surrogates(value: Any, where: str) -> None:
    """A lone surrogate (`"\\ud800"`) is valid JSON but no text: refused."""
    found = safe_json.lone_surrogate(value, where)
    if found is None:
        return
    path, in_key = found
    if in_key:
        raise QuoteError("clé invalide (caractère de substitution isolé)", path)
    raise QuoteError("texte invalide (caractère de substitution isolé)", path)


def _obj(value: Any, allowed: frozenset, where: str, required: tuple[str, ...] = ()) -> dict:
    value = ngap_jsonio._keys(value, allowed, where)
    for name in required:
        if name not in value:
            prefix = f"{where}." if where else ""
            raise QuoteError(f"clé obligatoire manquante : {name}", f"{prefix}{name}")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise QuoteError("liste attendue", where)
    if len(value) > MAX_ITEMS:
        raise QuoteError(f"au plus {MAX_ITEMS} éléments", where)
    return value


def _id(value: Any, where: str):
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise QuoteError("identifiant attendu (texte ou entier)", where)
    return value


def _optional_id(value: Any, where: str):
    return None if value is None else _id(value, where)


def _date(value: Any, where: str) -> date:
    return ngap_jsonio._date(value, where)


def _optional_date(value: Any, where: str) -> date | None:
    return None if value is None else _date(value, where)


def _bool(value: Any, where: str) -> bool:
    return ngap_jsonio._bool(value, where)


def _decimal(value: Any, where: str, *, allow_none: bool = False, strict: bool = False,
             maximum: Decimal | None = None) -> Decimal | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str):
        try:
            value = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            raise QuoteError("nombre attendu", where) from None
    return ngap_jsonio._number(value, where, strict=strict, maximum=maximum)


def _patient(obj: Any, where: str) -> PatientInfo:
    obj = _obj(obj, PATIENT_KEYS, where, ("id",))
    level = obj.get("bsi_level")
    if level is not None and level not in BSI_LEVELS:
        raise QuoteError(f"valeur inconnue : {level!r} (attendu : BSA, BSB, BSC ou null)",
                         f"{where}.bsi_level")
    return PatientInfo(_id(obj["id"], f"{where}.id"), level,
                       _optional_date(obj.get("bsi_date"), f"{where}.bsi_date"))


def _prescription(obj: Any, where: str, patients: dict) -> PrescriptionInfo:
    obj = _obj(obj, PRESCRIPTION_KEYS, where, ("id", "patient", "start", "end"))
    patient = _id(obj["patient"], f"{where}.patient")
    if patient not in patients:
        raise QuoteError(f"patient inconnu : {patient}", f"{where}.patient")
    start = _date(obj["start"], f"{where}.start")
    end = _date(obj["end"], f"{where}.end")
    if end < start:
        raise QuoteError("la fin précède le début", f"{where}.end")
    acts = []
    for i, act in enumerate(_list(obj.get("acts"), f"{where}.acts")):
        act_where = f"{where}.acts[{i}]"
        act = _obj(act, PRESCRIBED_ACT_KEYS, act_where, ("key",))
        key = act["key"]
        if not isinstance(key, str) or not key.strip():
            raise QuoteError("lettre-clé attendue", f"{act_where}.key")
        acts.append(PrescribedAct(key.strip().upper(), _decimal(
            act.get("coefficient"), f"{act_where}.coefficient", allow_none=True, strict=True,
            maximum=ngap_jsonio.MAX_COEFFICIENT)))
    return PrescriptionInfo(
        id=_id(obj["id"], f"{where}.id"), patient=patient, start=start, end=end,
        acts=tuple(acts), date=_optional_date(obj.get("date"), f"{where}.date"),
        home=_bool(obj.get("home"), f"{where}.home"),
        night=_bool(obj.get("night"), f"{where}.night"),
        daily=_bool(obj.get("daily"), f"{where}.daily"),
    )


def _line(obj: Any, where: str) -> BilledLine:
    obj = _obj(obj, LINE_KEYS, where, ("code", "rate", "amount"))
    code = obj["code"]
    if not isinstance(code, str) or not code.strip():
        raise QuoteError("code attendu", f"{where}.code")
    rate = _decimal(obj["rate"], f"{where}.rate", maximum=Decimal(1))
    amount = _decimal(obj["amount"], f"{where}.amount", maximum=MAX_AMOUNT)
    if amount != amount.quantize(Decimal("0.01")):
        raise QuoteError("montant au centime attendu", f"{where}.amount")
    return BilledLine(code.strip().upper(),
                      _decimal(obj.get("coefficient"), f"{where}.coefficient", allow_none=True,
                               strict=True, maximum=ngap_jsonio.MAX_KM),
                      rate, amount.quantize(Decimal("0.01")))


def _seance(obj: Any, where: str, patients: dict, prescriptions: dict,
            territory: str, alsace_moselle: bool) -> SeanceInfo:
    obj = _obj(obj, SEANCE_KEYS, where, ("id", "patient", "facts", "lines"))
    patient = _id(obj["patient"], f"{where}.patient")
    if patient not in patients:
        raise QuoteError(f"patient inconnu : {patient}", f"{where}.patient")
    prescription = _optional_id(obj.get("prescription"), f"{where}.prescription")
    if prescription is not None and prescription not in prescriptions:
        raise QuoteError(f"ordonnance inconnue : {prescription}", f"{where}.prescription")
    passage = ngap_jsonio.parse_passage(obj["facts"], f"{where}.facts", territory=territory,
                                        alsace_moselle=alsace_moselle)
    lines = tuple(_line(line, f"{where}.lines[{i}]")
                  for i, line in enumerate(_list(obj["lines"], f"{where}.lines")))
    return SeanceInfo(
        id=_id(obj["id"], f"{where}.id"), patient=patient,
        nurse=_optional_id(obj.get("nurse"), f"{where}.nurse"), prescription=prescription,
        passage=passage, lines=lines, date=passage.date, time=passage.time,
        place=passage.place, urgent_call=passage.urgent_call,
        shared_travel_with_previous=passage.shared_travel_with_previous_patient,
    )


def _tournee(obj: Any, where: str) -> TourneeInfo:
    obj = _obj(obj, TOURNEE_KEYS, where, ("nurse", "date", "passages", "km"))
    passages = obj["passages"]
    if isinstance(passages, bool) or not isinstance(passages, int) or passages < 0:
        raise QuoteError("nombre entier de passages attendu", f"{where}.passages")
    if passages > 1000:
        raise QuoteError("valeur invraisemblable (> 1000)", f"{where}.passages")
    return TourneeInfo(_id(obj["nurse"], f"{where}.nurse"), _date(obj["date"], f"{where}.date"),
                       passages, _decimal(obj["km"], f"{where}.km", maximum=ngap_jsonio.MAX_KM))


def _unique(items, where: str, key=lambda item: item.id) -> dict:
    out = {}
    for i, item in enumerate(items):
        k = key(item)
        if k in out:
            raise QuoteError(f"identifiant en double : {k}", f"{where}[{i}]")
        out[k] = item
    return out


def parse_input(obj: Any, *, territory: str = "metropole",
                alsace_moselle: bool = False) -> AuditInput:
    obj = _obj(obj, TOP_KEYS, "", ("seances",))
    patients = _unique([_patient(p, f"patients[{i}]")
                        for i, p in enumerate(_list(obj.get("patients"), "patients"))], "patients")
    prescriptions = _unique(
        [_prescription(p, f"prescriptions[{i}]", patients)
         for i, p in enumerate(_list(obj.get("prescriptions"), "prescriptions"))],
        "prescriptions")
    seances = [_seance(s, f"seances[{i}]", patients, prescriptions, territory, alsace_moselle)
               for i, s in enumerate(_list(obj.get("seances"), "seances"))]
    _unique(seances, "seances")
    tournees = [_tournee(t, f"tournees[{i}]")
                for i, t in enumerate(_list(obj.get("tournees"), "tournees"))]
    _unique(tournees, "tournees", key=lambda t: (t.nurse, t.date))
    return AuditInput(tuple(patients.values()), tuple(prescriptions.values()), tuple(seances),
                      tuple(tournees))


def result_json(result: AuditResult) -> dict:
    def finding(f):
        return {"rule": f.rule, "seance": f.seance, "message": f.full_message}

    return {
        "valid": result.valid,
        "errors": [finding(f) for f in result.errors],
        "warnings": [finding(f) for f in result.warnings],
    }
