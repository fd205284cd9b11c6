"""`python manage.py protocol_eligibility`: the eligibility engine as a JSON filter.

Reads on stdin
    {"date": "YYYY-MM-DD", "practice": {...}, "patient": {...}}
and prints
    {"protocols": [{"protocol": id, "status": "eligible|not_eligible|incomplete",
                    "criteria": [{"rule": "R-PAPH-3", "result": true|false|null,
                                  "reason": "…"}]}]}
Facts and their types are those of `cooperation/protocols/facts.toml`; an absent or null
fact is unknown, never guessed. Bad input (invalid JSON, unknown key, wrong type) prints
{"error": "…", "details": [...]} on stdout and exits with status 2.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand

from cooperation import catalogue
from cooperation.eligibility import Facts, evaluate_all
from core import jsonio as safe_json

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TOP_KEYS = ("date", "practice", "patient")


class InputError(ValueError):
    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


def _parse_date(value: Any, where: str) -> dt.date:
    if not isinstance(value, str) or not DATE.match(value):
        raise InputError("Entrée invalide.", [f"{where} : date AAAA-MM-JJ attendue"])
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError("Entrée invalide.", [f"{where} : date inexistante « {value} »"]) from exc


def _convert(fact: catalogue.Fact, value: Any, where: str) -> Any:
    if value is None:
        return None
    if fact.type == "bool":
        if not isinstance(value, bool):
            raise InputError("Entrée invalide.", [f"{where} : true, false ou null attendu"])
        return value
    if fact.type == "date":
        return _parse_date(value, where)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError("Entrée invalide.", [f"{where} : nombre attendu"])
    if fact.type == "int" and not isinstance(value, int):
        raise InputError("Entrée invalide.", [f"{where} : nombre entier attendu"])
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        raise InputError("Entrée invalide.", [f"{where} : nombre fini attendu"])
    if value < 0:
        raise InputError("Entrée invalide.", [f"{where} : nombre positif ou nul attendu"])
    return value


def parse(payload: Any) -> Facts:
    """The stdin document → `Facts`, or `InputError` naming every problem found."""
    if not isinstance(payload, dict):
        raise InputError("Entrée invalide.", ["un objet JSON est attendu"])
    details = [f"clé inconnue « {k} »" for k in payload if k not in TOP_KEYS]
    known = catalogue.facts()
    on = dt.date.today()
    if payload.get("date") is not None:
        try:
            on = _parse_date(payload["date"], "date")
        except InputError as exc:
            details += exc.details
    scopes: dict[str, dict] = {"practice": {}, "patient": {}}
    for scope in scopes:
        section = payload.get(scope)
        if section is None:
            continue
        if not isinstance(section, dict):
            details.append(f"{scope} : objet attendu")
            continue
        for key, value in section.items():
            fact = known.get(f"{scope}.{key}")
            if fact is None:
                details.append(f"{scope}.{key} : fait inconnu")
                continue
            try:
                scopes[scope][key] = _convert(fact, value, f"{scope}.{key}")
            except InputError as exc:
                details += exc.details
    birth = scopes["patient"].get("birth_date")
    if birth is not None and not details and birth > on:
        details.append("patient.birth_date : postérieure à la date d'évaluation")
    if details:
        raise InputError("Entrée invalide.", details)
    return Facts(date=on, practice=scopes["practice"], patient=scopes["patient"])


class Command(BaseCommand):
    help = (
        "Éligibilité d'un patient aux protocoles de coopération : lit un objet JSON sur "
        "l'entrée standard et écrit le résultat en JSON (voir le README)."
    )

    def _emit(self, document: dict) -> None:
        # S-INPUT-1: writable as UTF-8 whatever the document echoes back.
        self.stdout.write(safe_json.dumps(document))

    def handle(self, *args, **options):
        try:
            raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
            text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
            payload = json.loads(text)
            safe_json.check_text(payload)
            facts = parse(payload)
        except UnicodeDecodeError:
            return self._fail("Entrée invalide.", ["l'entrée n'est pas en UTF-8"])
        except json.JSONDecodeError as exc:
            return self._fail("JSON invalide.", [f"ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"])
        except RecursionError:
            return self._fail("JSON invalide.", ["imbrication trop profonde"])
        except InputError as exc:
            return self._fail(str(exc), exc.details)
        except safe_json.JsonInputError as exc:
            return self._fail("Entrée invalide.", [f"{exc.field or 'entrée'} : {exc.message}"])
        self._emit({"protocols": [r.as_json() for r in evaluate_all(facts)]})

    def _fail(self, message: str, details: list[str]) -> None:
        self._emit({"error": message, "details": details})
        self.stdout.flush()
        raise SystemExit(2)
