"""Strict JSON input of `check_contract` and `retrocession` (README "Remplacements").

Every problem raises `InputError` with French details naming the field; the commands turn
it into `{"error": ..., "details": [...]}` and exit status 2. Lone surrogates, NaN,
binary floats for money and unknown keys are refused.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from . import retrocession as retro
from . import rules

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")
# Plausible range for any date of a replacement (GUIDE: every date has a plausible range).
MIN_DATE, MAX_DATE = dt.date(1950, 1, 1), dt.date(2100, 12, 31)
MAX_AMOUNT = Decimal("1000000")
MAX_ITEMS = 100_000
MAX_DEPTH = 20


class InputError(ValueError):
    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _clean(value: Any, path: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise InputError("Entrée invalide.", [f"{path or 'racine'} : imbrication trop profonde"])
    if isinstance(value, str):
        if _has_surrogate(value):
            raise InputError("Entrée invalide.", [f"{path or 'racine'} : caractère Unicode invalide (substitut isolé)"])
    elif isinstance(value, dict):
        for key, item in value.items():
            if _has_surrogate(key):
                raise InputError("Entrée invalide.", ["clé contenant un caractère Unicode invalide (substitut isolé)"])
            _clean(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise InputError("Entrée invalide.", [f"{path} : trop d'éléments (maximum {MAX_ITEMS})"])
        for i, item in enumerate(value):
            _clean(item, f"{path}[{i}]", depth + 1)


def loads(raw: bytes | str) -> Any:
    """Text → JSON value with Decimal numbers, or InputError."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("Entrée invalide.", ["l'entrée n'est pas en UTF-8"]) from None
    if not raw.strip():
        raise InputError("Entrée vide.", ["un objet JSON est attendu sur l'entrée standard"])

    def _constant(name):
        raise InputError("JSON invalide.", [f"valeur non autorisée : {name}"])

    try:
        value = json.loads(raw, parse_float=Decimal, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError("JSON invalide.", [f"ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"]) from None
    except RecursionError:
        raise InputError("JSON invalide.", ["imbrication trop profonde"]) from None
    _clean(value, "")
    return value


# --- field readers ------------------------------------------------------------------------


class Reader:
    """Reads one JSON object, collecting every problem before raising."""

    def __init__(self, obj: Any, path: str, errors: list[str], *, allowed: set[str]):
        self.path, self.errors = path, errors
        if not isinstance(obj, dict):
            errors.append(f"{path or 'racine'} : objet JSON attendu")
            obj = {}
        self.obj = obj
        for key in obj:
            if key not in allowed:
                errors.append(f"{self._p(key)} : clé inconnue")

    def _p(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.obj and self.obj[key] is not None

    def _get(self, key: str, required: bool):
        if key not in self.obj or self.obj[key] is None:
            if required:
                self.errors.append(f"{self._p(key)} : champ obligatoire")
            return None
        return self.obj[key]

    def boolean(self, key: str, *, required: bool = True, default: bool | None = None):
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.errors.append(f"{self._p(key)} : true ou false attendu")
            return default
        return value

    def text(self, key: str, *, required: bool = False, max_length: int = 1000) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.errors.append(f"{self._p(key)} : texte attendu")
            return ""
        if len(value) > max_length:
            self.errors.append(f"{self._p(key)} : texte trop long (maximum {max_length} caractères)")
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self._get(key, required)
        return None if value is None else parse_date(value, self._p(key), self.errors)

    def datetime(self, key: str, *, required: bool = True, end: bool = False) -> dt.datetime | None:
        value = self._get(key, required)
        if value is None:
            return None
        where = self._p(key)
        if isinstance(value, str) and DATE_RE.match(value):
            day = parse_date(value, where, self.errors)
            if day is None:
                return None
            # A bare date: the whole day (an end closes the day).
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time()) if end else dt.datetime.combine(day, dt.time())
        if not isinstance(value, str) or not DATETIME_RE.match(value):
            self.errors.append(f"{where} : date et heure AAAA-MM-JJTHH:MM attendues")
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.errors.append(f"{where} : date ou heure inexistante « {value} »")
            return None
        if not MIN_DATE <= moment.date() <= MAX_DATE:
            self.errors.append(f"{where} : date hors de la plage plausible ({MIN_DATE.year}–{MAX_DATE.year})")
            return None
        return moment

    def number(self, key: str, *, required: bool = False, low: Decimal, high: Decimal,
               money: bool = False) -> Decimal | None:
        value = self._get(key, required)
        return None if value is None else parse_number(value, self._p(key), self.errors,
                                                        low=low, high=high, money=money)

    def items(self, key: str) -> list:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.errors.append(f"{self._p(key)} : liste attendue")
            return []
        return value


def parse_date(value: Any, where: str, errors: list[str]) -> dt.date | None:
    if not isinstance(value, str) or not DATE_RE.match(value):
        errors.append(f"{where} : date AAAA-MM-JJ attendue")
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{where} : date inexistante « {value} »")
        return None
    if not MIN_DATE <= day <= MAX_DATE:
        errors.append(f"{where} : date hors de la plage plausible ({MIN_DATE.year}–{MAX_DATE.year})")
        return None
    return day


def parse_number(value: Any, where: str, errors: list[str], *, low: Decimal, high: Decimal,
                 money: bool = False) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        errors.append(f"{where} : nombre attendu")
        return None
    try:
        number = Decimal(value.strip().replace(",", ".")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError):
        errors.append(f"{where} : nombre attendu")
        return None
    if not number.is_finite():
        errors.append(f"{where} : nombre fini attendu")
        return None
    if not low <= number <= high:
        errors.append(f"{where} : valeur attendue entre {low} et {high}")
        return None
    if money and number != number.quantize(retro.CENT):
        errors.append(f"{where} : montant au centime attendu (2 décimales au plus)")
        return None
    return number


def _periods(reader: Reader, key: str, errors: list[str], *, start="start", end="end",
             extra: set[str] = frozenset()) -> list[tuple[dt.date, dt.date, Reader]]:
    out = []
    for i, item in enumerate(reader.items(key)):
        r = Reader(item, f"{reader._p(key)}[{i}]", errors, allowed={start, end} | set(extra))
        a, b = r.date(start, required=True), r.date(end, required=True)
        if a and b and b < a:
            errors.append(f"{r.path} : la fin précède le début")
        elif a and b:
            out.append((a, b, r))
    return out


# --- check_contract -------------------------------------------------------------------

TITULAIRE_KEYS = {"id", "conventionne", "interdiction_exercer", "deconventionnement",
                  "unavailability", "own_visits",
                  # optional extensions (README)
                  "sas_interdiction", "practice_form", "other_contracts"}
REMPLACANT_KEYS = {"installed", "diploma_date", "ordre_registered", "interdiction_exercer",
                   "autorisations", "experience", "rcp_valid_to", "urssaf_declared_on",
                   "other_contracts",
                   "sas_interdiction", "salaried", "employer_authorised"}
CONTRACT_KEYS = {"start", "end", "written", "repeated", "motif", "cabinet_share_percent",
                 "travel_share_percent", "place", "non_compete_clause", "non_compete_months",
                 "non_compete_radius_km"}
PRACTICE_FORMS = ("individuel", "association", "societe")
PLACES = ("cabinet_titulaire", "cabinet_remplacant", "domicile")


def _party_id(value: Any, where: str, errors: list[str]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        errors.append(f"{where} : identifiant (texte ou nombre) attendu")
        return ""
    text = str(value)
    if len(text) > 100:
        errors.append(f"{where} : identifiant trop long")
    return text


def parse_check_contract(payload: Any) -> tuple[rules.TitulaireFacts, rules.RemplacantFacts, rules.ContractFacts]:
    errors: list[str] = []
    top = Reader(payload, "", errors, allowed={"titulaire", "remplacant", "contract"})
    for key in ("titulaire", "remplacant", "contract"):
        if not top.has(key):
            errors.append(f"{key} : champ obligatoire")
    if errors:
        raise InputError("Entrée invalide.", errors)

    t = Reader(payload["titulaire"], "titulaire", errors, allowed=TITULAIRE_KEYS)
    t_id = _party_id(t.obj.get("id"), "titulaire.id", errors) if t.has("id") else ""
    if not t.has("id"):
        errors.append("titulaire.id : champ obligatoire")
    conventionne = t.boolean("conventionne")
    unav = []
    for a, b, r in _periods(t, "unavailability", errors, extra={"kind"}):
        unav.append(rules.Unavailability(a, b, kind=r.text("kind", max_length=50) or "autre"))
    own = []
    for i, v in enumerate(t.items("own_visits")):
        day = parse_date(v, f"titulaire.own_visits[{i}]", errors)
        if day:
            own.append(day)
    practice_form = t.text("practice_form") or None
    if practice_form and practice_form not in PRACTICE_FORMS:
        errors.append("titulaire.practice_form : " + ", ".join(PRACTICE_FORMS) + " attendu")
    t_others = []
    for a, b, r in _periods(t, "other_contracts", errors, extra={"remplacant"}):
        t_others.append(rules.OtherContract(a, b, party=_party_id(r.obj.get("remplacant", ""), f"{r.path}.remplacant", errors)))

    rp = Reader(payload["remplacant"], "remplacant", errors, allowed=REMPLACANT_KEYS)
    autorisations = []
    for a, b, r in _periods(rp, "autorisations", errors, start="valid_from", end="valid_to",
                            extra={"issuer", "issued_on", "number"}):
        issuer = r.text("issuer") or "cdoi"
        if issuer not in rules.ISSUERS:
            errors.append(f"{r.path}.issuer : " + ", ".join(rules.ISSUERS) + " attendu")
        r.text("number", max_length=100)
        autorisations.append(rules.Autorisation(a, b, issuer=issuer, issued_on=r.date("issued_on")))
    experience = []
    for a, b, r in _periods(rp, "experience", errors, extra={"hours", "setting"}):
        hours = r.number("hours", required=True, low=Decimal(0), high=Decimal(100_000))
        setting = r.text("setting", required=True)
        if setting and setting not in rules.SETTINGS:
            errors.append(f"{r.path}.setting : " + ", ".join(rules.SETTINGS) + " attendu")
        if hours is not None and setting in rules.SETTINGS:
            experience.append(rules.Experience(a, b, hours=hours, setting=setting))
    r_others = []
    for a, b, r in _periods(rp, "other_contracts", errors, extra={"titulaire"}):
        if not r.has("titulaire"):
            errors.append(f"{r.path}.titulaire : champ obligatoire")
        r_others.append(rules.OtherContract(a, b, party=_party_id(r.obj.get("titulaire", ""), f"{r.path}.titulaire", errors)))
    remplacant = dict(
        installed=rp.boolean("installed"),
        diploma_date=rp.date("diploma_date"),
        ordre_registered=rp.boolean("ordre_registered"),
        interdiction_exercer=[rules.Period(a, b) for a, b, _ in _periods(rp, "interdiction_exercer", errors)],
        autorisations=autorisations,
        experience=experience,
        rcp_valid_to=rp.date("rcp_valid_to"),
        urssaf_declared_on=rp.date("urssaf_declared_on"),
        other_contracts=r_others,
        sas_interdiction=[rules.Period(a, b) for a, b, _ in _periods(rp, "sas_interdiction", errors)],
        salaried=rp.boolean("salaried", required=False),
        employer_authorised=rp.boolean("employer_authorised", required=False),
    )

    c = Reader(payload["contract"], "contract", errors, allowed=CONTRACT_KEYS)
    place = c.text("place") or None
    if place and place not in PLACES:
        errors.append("contract.place : " + ", ".join(PLACES) + " attendu")
    months = c.number("non_compete_months", low=Decimal(0), high=Decimal(600))
    radius = c.number("non_compete_radius_km", low=Decimal(0), high=Decimal(10_000))
    contract = dict(
        start=c.datetime("start"),
        end=c.datetime("end", end=True),
        written=c.boolean("written"),
        repeated=c.boolean("repeated"),
        motif=c.text("motif", required=True),
        cabinet_share_percent=c.number("cabinet_share_percent", required=True, low=Decimal(0), high=Decimal(100)),
        travel_share_percent=c.number("travel_share_percent", low=Decimal(0), high=Decimal(100)),
        place=place,
        non_compete_clause=c.boolean("non_compete_clause", required=False, default=False),
        non_compete_months=int(months) if months is not None else None,
        non_compete_radius_km=int(radius) if radius is not None else None,
    )
    if errors:
        raise InputError("Entrée invalide.", errors)
    titulaire = rules.TitulaireFacts(
        id=t_id, conventionne=conventionne,
        interdiction_exercer=[rules.Period(a, b) for a, b, _ in _periods(t, "interdiction_exercer", errors)],
        deconventionnement=[rules.Period(a, b) for a, b, _ in _periods(t, "deconventionnement", errors)],
        unavailability=unav, own_visits=own,
        sas_interdiction=[rules.Period(a, b) for a, b, _ in _periods(t, "sas_interdiction", errors)],
        practice_form=practice_form, other_contracts=t_others,
    )
    if errors:
        raise InputError("Entrée invalide.", errors)
    return titulaire, rules.RemplacantFacts(**remplacant), rules.ContractFacts(**contract)


# --- retrocession ---------------------------------------------------------------------

RETRO_KEYS = {"cabinet_share_percent", "travel_to_remplacant", "travel_share_percent",
              "monthly_cap", "acts"}
ACT_KEYS = {"date", "fees", "travel", "patient"}


def parse_retrocession(payload: Any) -> tuple[list[retro.Act], retro.Terms]:
    errors: list[str] = []
    r = Reader(payload, "", errors, allowed=RETRO_KEYS)
    share = r.number("cabinet_share_percent", required=True, low=Decimal(0), high=Decimal(100))
    to_remplacant = r.boolean("travel_to_remplacant", required=False, default=True)
    travel_share = r.number("travel_share_percent", low=Decimal(0), high=Decimal(100))
    cap = r.number("monthly_cap", low=Decimal(0), high=MAX_AMOUNT, money=True)
    if "acts" not in r.obj:
        errors.append("acts : champ obligatoire")
    acts = []
    for i, item in enumerate(r.items("acts")):
        a = Reader(item, f"acts[{i}]", errors, allowed=ACT_KEYS)
        day = a.date("date", required=True)
        # R-RETRO-5: a credit note is a negative amount in its month.
        fees = a.number("fees", required=True, low=-MAX_AMOUNT, high=MAX_AMOUNT, money=True)
        travel = a.number("travel", low=-MAX_AMOUNT, high=MAX_AMOUNT, money=True)
        patient = a.text("patient", max_length=100)
        if day and fees is not None:
            acts.append(retro.Act(day, fees, travel if travel is not None else retro.ZERO, patient))
    if errors:
        raise InputError("Entrée invalide.", errors)
    return acts, retro.Terms(share, to_remplacant, travel_share, cap)
