"""Dated NGAP tariffs (OpenFisca style): each value keyed by the date it came
into force, with the text that set it, per territory.

`load()` reads `data/tariffs.toml` once; `TariffTable.at(territory, date)`
gives the `Snapshot` of every value in force on a date of care (bisect over
the change dates, cached per date). The loader is strict: a malformed or
duplicate date, a value that is not an exact decimal string, a missing
source or an unknown field is refused with `TariffError`.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "tariffs.toml"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL_RE = re.compile(r"^-?\d+(\.\d+)?$")
_STATUSES = frozenset({"VERIFIED", "UNCERTAIN"})
_VALUE_FIELDS = frozenset({"value", "source", "status"})
_PARAM_FIELDS = frozenset({"label", "unit"})
_TERRITORY_FIELDS = frozenset({"label", "inherits"})

METROPOLE = "metropole"


class TariffError(ValueError):
    """The tariff file is invalid, or no value is in force for a date."""


@dataclass(frozen=True, slots=True)
class TariffValue:
    """One dated value of one parameter."""

    code: str
    value: Decimal
    since: date
    source: str
    status: str


@dataclass(frozen=True, slots=True)
class Parameter:
    code: str
    label: str
    unit: str
    # territory -> values sorted by date
    series: dict[str, tuple[TariffValue, ...]]


class Snapshot:
    """Every value in force on one date, for one territory."""

    __slots__ = ("territory", "effective", "values", "memo")

    def __init__(self, territory: str, effective: date, values: dict[str, TariffValue]):
        self.territory = territory
        # The latest change date among the values in force: the "version".
        self.effective = effective
        self.values = values
        # Per-snapshot memo for the engine (resolved acts, fixed amounts).
        self.memo: dict = {}

    def __contains__(self, code: str) -> bool:
        return code in self.values

    def get(self, code: str) -> TariffValue:
        try:
            return self.values[code]
        except KeyError:
            raise TariffError(
                f"{code} n'a pas de valeur en vigueur à cette date ({self.territory}, "
                f"tarifs du {self.effective.isoformat()})"
            ) from None

    def value(self, code: str) -> Decimal:
        return self.get(code).value


class TariffTable:
    def __init__(self, parameters: dict[str, Parameter], territories: dict[str, dict],
                 verified_until: date | None = None, verified_source: str = ""):
        self.parameters = parameters
        self.territories = territories
        # The last date of care the values are known to be right for (None:
        # not stated); a later quote carries a warning.
        self.verified_until = verified_until
        self.verified_source = verified_source
        self._dates: dict[str, list[int]] = {}
        self._snapshots: dict[str, list[Snapshot]] = {}
        self._cache: dict[tuple[str, date], Snapshot] = {}
        for territory in territories:
            self._build(territory)

    def _series(self, code: str, territory: str) -> tuple[TariffValue, ...]:
        param = self.parameters[code]
        seen = set()
        while territory is not None:
            if territory in seen:  # pragma: no cover - refused at load time
                raise TariffError(f"héritage circulaire de territoire: {territory}")
            seen.add(territory)
            if territory in param.series:
                return param.series[territory]
            territory = self.territories[territory].get("inherits")
        return ()

    def _build(self, territory: str) -> None:
        changes: dict[date, list[TariffValue]] = {}
        for code in self.parameters:
            for tv in self._series(code, territory):
                changes.setdefault(tv.since, []).append(tv)
        current: dict[str, TariffValue] = {}
        dates, snaps = [], []
        for day in sorted(changes):
            for tv in changes[day]:
                current[tv.code] = tv
            dates.append(day.toordinal())
            snaps.append(Snapshot(territory, day, dict(current)))
        self._dates[territory] = dates
        self._snapshots[territory] = snaps

    @property
    def first_date(self) -> date:
        return date.fromordinal(min(d[0] for d in self._dates.values() if d))

    def first_date_of(self, territory: str = METROPOLE) -> date:
        return date.fromordinal(self._dates[territory][0])

    def at(self, territory: str, day: date) -> Snapshot:
        key = (territory, day)
        snap = self._cache.get(key)
        if snap is not None:
            return snap
        if territory not in self._dates:
            raise TariffError(f"territoire inconnu: {territory}")
        dates = self._dates[territory]
        i = bisect_right(dates, day.toordinal())
        if i == 0:
            raise TariffError(
                f"aucun tarif avant le {date.fromordinal(dates[0]).isoformat()} "
                f"(date des soins: {day.isoformat()})"
            )
        snap = self._snapshots[territory][i - 1]
        if len(self._cache) < 100_000:
            self._cache[key] = snap
        return snap

    def history(self, code: str, territory: str = METROPOLE) -> tuple[TariffValue, ...]:
        return self._series(code, territory)


# ------------------------------------------------------------------ loading


def _parse_date(raw: Any, where: str) -> date:
    if isinstance(raw, date) and not hasattr(raw, "hour"):
        return raw
    if not isinstance(raw, str) or not _DATE_RE.match(raw):
        raise TariffError(f"{where}: date mal formée {raw!r} (attendu AAAA-MM-JJ)")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise TariffError(f"{where}: date impossible {raw!r}") from None


def _parse_value(raw: Any, where: str) -> Decimal:
    # Floats are refused: a binary float is not an exact amount.
    if not isinstance(raw, str) or not _DECIMAL_RE.match(raw):
        raise TariffError(f"{where}: la valeur doit être une chaîne décimale, pas {raw!r}")
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the regex already guards
        raise TariffError(f"{where}: valeur invalide {raw!r}") from None


def parse(data: dict) -> TariffTable:
    """Build a table from the parsed TOML document (strict)."""
    if not isinstance(data, dict):
        raise TariffError("document de tarifs invalide")
    unknown = set(data) - {"schema", "territories", "parameters", "verified"}
    if unknown:
        raise TariffError(f"clés inconnues au premier niveau: {sorted(unknown)}")
    if data.get("schema") != 1:
        raise TariffError("schema doit valoir 1")
    territories = data.get("territories")
    if not isinstance(territories, dict) or METROPOLE not in territories:
        raise TariffError("il faut au moins le territoire 'metropole'")
    for name, spec in territories.items():
        if not isinstance(spec, dict) or set(spec) - _TERRITORY_FIELDS:
            raise TariffError(f"territoire {name}: champs inconnus")
        parent = spec.get("inherits")
        if parent is not None and parent not in territories:
            raise TariffError(f"territoire {name}: hérite d'un territoire inconnu {parent!r}")
    for name in territories:  # no cycles
        seen, cur = set(), name
        while cur is not None:
            if cur in seen:
                raise TariffError(f"héritage circulaire de territoire: {name}")
            seen.add(cur)
            cur = territories[cur].get("inherits")

    params_raw = data.get("parameters")
    if not isinstance(params_raw, dict) or not params_raw:
        raise TariffError("aucun paramètre")
    parameters: dict[str, Parameter] = {}
    for code, spec in params_raw.items():
        if not isinstance(spec, dict):
            raise TariffError(f"{code}: table attendue")
        series: dict[str, tuple[TariffValue, ...]] = {}
        for field, content in spec.items():
            if field in _PARAM_FIELDS:
                if not isinstance(content, str):
                    raise TariffError(f"{code}.{field}: texte attendu")
                continue
            if field not in territories:
                raise TariffError(f"{code}: champ ou territoire inconnu {field!r}")
            if not isinstance(content, dict) or not content:
                raise TariffError(f"{code}.{field}: au moins une valeur datée attendue")
            values: dict[date, TariffValue] = {}
            for raw_date, entry in content.items():
                where = f"{code}.{field}.{raw_date}"
                day = _parse_date(raw_date, where)
                if day in values:
                    raise TariffError(f"{where}: date en double")
                if not isinstance(entry, dict):
                    raise TariffError(f"{where}: table {{value, source, status}} attendue")
                extra = set(entry) - _VALUE_FIELDS
                if extra:
                    raise TariffError(f"{where}: champs inconnus {sorted(extra)}")
                source = entry.get("source")
                if not isinstance(source, str) or not source.strip():
                    raise TariffError(f"{where}: source manquante")
                status = entry.get("status", "VERIFIED")
                if status not in _STATUSES:
                    raise TariffError(f"{where}: statut inconnu {status!r}")
                values[day] = TariffValue(
                    code=code,
                    value=_parse_value(entry.get("value"), where),
                    since=day,
                    source=source.strip(),
                    status=status,
                )
            series[field] = tuple(values[d] for d in sorted(values))
        if not series:
            raise TariffError(f"{code}: aucune valeur")
        parameters[code] = Parameter(
            code=code, label=spec.get("label", code), unit=spec.get("unit", "EUR"), series=series
        )
    verified_until, verified_source = None, ""
    verified = data.get("verified")
    if verified is not None:
        if not isinstance(verified, dict) or set(verified) - {"until", "source"}:
            raise TariffError("verified: table {until, source} attendue")
        verified_until = _parse_date(verified.get("until"), "verified.until")
        verified_source = verified.get("source")
        if not isinstance(verified_source, str) or not verified_source.strip():
            raise TariffError("verified.source: source manquante")
        verified_source = verified_source.strip()
    return TariffTable(parameters, {k: dict(v) for k, v in territories.items()},
                       verified_until, verified_source)


def loads(text: str) -> TariffTable:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Duplicate keys (e.g. the same date twice) end up here too.
        raise TariffError(f"fichier de tarifs illisible: {exc}") from None
    return parse(data)


@cache
def load(path: str | None = None) -> TariffTable:
    """The project's tariff table (loaded once per process)."""
    file = Path(path) if path else DATA_FILE
    return loads(file.read_text(encoding="utf-8"))
