"""The protocols of cooperation, loaded from the data files in `cooperation/protocols/`.

Each protocol (legal basis, population, criteria, delegated acts, training, adhesion,
recording, doctor information) is one TOML file, so a new protocol or a new arrêté is a
data change (R-COOP-5, R-PAPH-10, R-ASA-10). The loader is strict: an unknown key, a
missing key, a wrong type or a fact missing from `facts.toml` is a `CatalogueError`
naming the file and the key, raised at start-up rather than producing a wrong answer.

Plain Python, no ORM.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "protocols"
RULE_ID = re.compile(r"^R-(COOP|PAPH|ASA|TLS)-\d+$")
FACT_TYPES = ("bool", "date", "int", "number")
LEAF_TESTS = ("is_true", "is_false", "age_at_least", "age_over", "at_least", "below")
AGE_RULES = ("exact_date", "completed_years")
KINDS = ("national", "local", "asalee", "other")
TRIGGERS = ("monthly_visit", "intercurrent_event", "consultation")
ROLES = ("delegue", "delegant")
NATURES = ("medical", "non_medical")
DELEGATES = ("health_professional", "third_party")


class CatalogueError(ValueError):
    """A protocol data file does not follow the schema."""


@dataclass(frozen=True)
class Fact:
    name: str  # "patient.birth_date", "practice.coordinated_practice"
    scope: str  # "patient" | "practice"
    key: str  # "birth_date"
    type: str
    label: str


@dataclass(frozen=True)
class Node:
    """A criterion tree node: a leaf tests one fact; `all`/`any` combine children."""

    label: str
    rule: str = ""
    fact: str = ""
    test: str = ""
    value: Decimal | None = None
    years: int | None = None
    age_rule: str = "exact_date"
    warn_if_readings_differ: bool = False
    combine: str = ""  # "all" | "any" for an inner node
    children: tuple[Node, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.combine


@dataclass(frozen=True)
class Criterion:
    rule: str
    kind: str  # "inclusion" | "exclusion"
    node: Node

    @property
    def label(self) -> str:
        return self.node.label


@dataclass(frozen=True)
class Act:
    code: str
    label: str
    trigger: str
    rule: str
    verified: bool
    derogatory: bool
    decisions: tuple[str, ...]
    allowed_items_from: str = ""
    exclusions: tuple[str, ...] = ()
    alert_criteria: tuple[str, ...] = ()
    max_duration: str = ""


@dataclass(frozen=True)
class Training:
    role: str
    rule: str
    known: bool
    validation_method: str
    note: str = ""
    hours_theory: Decimal | None = None
    hours_practice: Decimal | None = None


@dataclass(frozen=True)
class FollowUp:
    rule: str
    act: str
    nurse_visits_per_year: int
    doctor_visits_per_year: int
    interval_months: int
    note: str = ""


@dataclass(frozen=True)
class Remuneration:
    rule: str
    valid_from: dt.date
    valid_from_verified: bool
    forfait_total: Decimal
    nurse_share: Decimal
    doctor_share: Decimal


@dataclass(frozen=True)
class Protocol:
    id: str
    order: int
    kind: str
    title: str
    short_title: str
    legal_ref: str
    legal_rules: tuple[str, ...]
    authorised_on: dt.date
    valid_from: dt.date
    population: str
    population_rules: tuple[str, ...]
    required_practice_setting: tuple[str, ...]
    practice_rules: tuple[str, ...]
    delegant_role: str
    delegue_role: str
    responsibility: str
    responsibility_rule: str
    start: str
    start_rules: tuple[str, ...]
    billable_ngap: bool
    billing_note: str
    billing_rules: tuple[str, ...]
    doctor_information: dict
    adhesion: dict
    recording: tuple[str, ...]
    recording_rule: str
    criteria: tuple[Criterion, ...]
    acts: tuple[Act, ...]
    training: tuple[Training, ...]
    amended_on: tuple[dt.date, ...] = ()
    valid_to: dt.date | None = None
    validity_rule: str = "R-COOP-11"
    follow_up: FollowUp | None = None
    remuneration: Remuneration | None = None

    def act(self, code: str) -> Act | None:
        return next((a for a in self.acts if a.code == code), None)

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def facts(self) -> list[str]:
        """Every fact the criteria read, in order of first use."""
        seen: dict[str, None] = {}

        def walk(node: Node) -> None:
            if node.is_leaf:
                seen.setdefault(node.fact)
            for child in node.children:
                walk(child)

        for criterion in self.criteria:
            walk(criterion.node)
        return list(seen)

    def rules(self) -> list[str]:
        """Every rule id the protocol data cites."""
        found: list[str] = []

        def add(rule: str) -> None:
            if rule and rule not in found:
                found.append(rule)

        def walk(node: Node) -> None:
            add(node.rule)
            for child in node.children:
                walk(child)

        for r in (*self.legal_rules, *self.population_rules, *self.practice_rules,
                  self.responsibility_rule, *self.start_rules, *self.billing_rules,
                  self.recording_rule, self.doctor_information.get("rule", ""),
                  self.adhesion.get("rule", ""), *self.adhesion.get("indicator_rules", [])):
            add(r)
        for criterion in self.criteria:
            add(criterion.rule)
            walk(criterion.node)
        for act in self.acts:
            add(act.rule)
        for training in self.training:
            add(training.rule)
        add(self.validity_rule)
        if self.follow_up:
            add(self.follow_up.rule)
        if self.remuneration:
            add(self.remuneration.rule)
        return found


@dataclass(frozen=True)
class DelegationRule:
    nature: str
    delegate: str
    allowed: bool
    framework: str
    rule: str
    label: str
    also_rules: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()
    verified: bool = True


@dataclass(frozen=True)
class DelegableActivity:
    code: str
    label: str
    nature: str


@dataclass(frozen=True)
class DelegationTable:
    rules: tuple[DelegationRule, ...]
    activities: tuple[DelegableActivity, ...] = field(default=())

    def rule_for(self, *, nature: str, delegate: str) -> DelegationRule:
        for rule in self.rules:
            if rule.nature == nature and rule.delegate == delegate:
                return rule
        raise KeyError((nature, delegate))

    def activity(self, code: str) -> DelegableActivity | None:
        return next((a for a in self.activities if a.code == code), None)


# --- strict reading ----------------------------------------------------------------------


class _Reader:
    """Reads one table, remembering which keys were used, so leftovers are errors."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise CatalogueError(f"{where}: une table est attendue")
        self.data = data
        self.where = where
        self.used: set[str] = set()

    def _get(self, key: str, types: tuple[type, ...], required: bool, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise CatalogueError(f"{self.where}: clé « {key} » manquante")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in types:
            raise CatalogueError(f"{self.where}.{key}: type invalide")
        if not isinstance(value, types):
            raise CatalogueError(f"{self.where}.{key}: type invalide ({type(value).__name__})")
        return value

    def str(self, key: str, *, required: bool = True, default: str = "",
            choices: tuple[str, ...] = ()) -> str:
        value = self._get(key, (str,), required, default)
        if required and not value.strip():
            raise CatalogueError(f"{self.where}.{key}: valeur vide")
        if choices and value not in choices:
            raise CatalogueError(f"{self.where}.{key}: « {value} » pas dans {choices}")
        return value

    def rule(self, key: str, *, required: bool = True) -> str:
        value = self.str(key, required=required)
        if value and not RULE_ID.match(value):
            raise CatalogueError(f"{self.where}.{key}: identifiant de règle invalide « {value} »")
        return value

    def rules(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        values = self.strs(key, required=required)
        for value in values:
            if not RULE_ID.match(value):
                raise CatalogueError(f"{self.where}.{key}: identifiant de règle invalide « {value} »")
        return values

    def bool(self, key: str, *, required: bool = True, default: bool = False) -> bool:
        return self._get(key, (bool,), required, default)

    def int(self, key: str, *, required: bool = True, default: int | None = None) -> int | None:
        return self._get(key, (int,), required, default)

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self._get(key, (dt.date,), required, None)
        if isinstance(value, dt.datetime):
            raise CatalogueError(f"{self.where}.{key}: une date sans heure est attendue")
        return value

    def decimal(self, key: str, *, required: bool = True) -> Decimal | None:
        value = self._get(key, (str, int, float), required, None)
        if value is None:
            return None
        try:
            return Decimal(str(value))
        except InvalidOperation as exc:
            raise CatalogueError(f"{self.where}.{key}: nombre invalide") from exc

    def strs(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self._get(key, (list,), required, [])
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise CatalogueError(f"{self.where}.{key}: liste de textes attendue")
        return tuple(value)

    def dates(self, key: str, *, required: bool = True) -> tuple[dt.date, ...]:
        value = self._get(key, (list,), required, [])
        if not all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in value):
            raise CatalogueError(f"{self.where}.{key}: liste de dates attendue")
        return tuple(value)

    def tables(self, key: str, *, required: bool = True) -> list[_Reader]:
        value = self._get(key, (list,), required, [])
        return [_Reader(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def table(self, key: str, *, required: bool = True) -> _Reader | None:
        value = self._get(key, (dict,), required, None)
        return None if value is None else _Reader(value, f"{self.where}.{key}")

    def raw(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise CatalogueError(f"{self.where}: clé(s) inconnue(s) {', '.join(unknown)}")


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: TOML invalide ({exc})") from exc


def load_facts(path: Path | None = None) -> dict[str, Fact]:
    path = path or DATA_DIR / "facts.toml"
    data = _read_toml(path)
    facts: dict[str, Fact] = {}
    for scope in ("practice", "patient"):
        table = data.get(scope, {})
        for key, spec in table.items():
            r = _Reader(spec, f"{path.name}:{scope}.{key}")
            fact = Fact(
                name=f"{scope}.{key}", scope=scope, key=key,
                type=r.str("type", choices=FACT_TYPES), label=r.str("label"),
            )
            r.done()
            facts[fact.name] = fact
    unknown = sorted(set(data) - {"practice", "patient", "iadl_travel"})
    if unknown:
        raise CatalogueError(f"{path.name}: section(s) inconnue(s) {', '.join(unknown)}")
    return facts


def _node(r: _Reader, facts: dict[str, Fact]) -> Node:
    label = r.str("label")
    rule = r.rule("rule", required=False)
    has_all, has_any, has_fact = "all" in r.data, "any" in r.data, "fact" in r.data
    if has_all + has_any + has_fact != 1:
        raise CatalogueError(f"{r.where}: exactement une des clés fact, all, any est attendue")
    if has_fact:
        fact_name = r.str("fact")
        if fact_name not in facts:
            raise CatalogueError(f"{r.where}.fact: fait inconnu « {fact_name} » (facts.toml)")
        fact = facts[fact_name]
        test = r.str("test", choices=LEAF_TESTS)
        expected_type = {
            "is_true": ("bool",), "is_false": ("bool",),
            "age_at_least": ("date",), "age_over": ("date",),
            "at_least": ("int", "number"), "below": ("int", "number"),
        }[test]
        if fact.type not in expected_type:
            raise CatalogueError(f"{r.where}: le test {test} ne s'applique pas au fait {fact_name}")
        years = value = None
        age_rule, warn = "exact_date", False
        if test.startswith("age_"):
            years = r.int("years")
            if years is None or years < 0:
                raise CatalogueError(f"{r.where}.years: entier positif attendu")
            age_rule = r.str("age_rule", required=False, default="exact_date", choices=AGE_RULES)
            warn = r.bool("warn_if_readings_differ", required=False)
        elif test in ("at_least", "below"):
            value = r.decimal("value")
        node = Node(label=label, rule=rule, fact=fact_name, test=test, value=value, years=years,
                    age_rule=age_rule, warn_if_readings_differ=warn)
    else:
        combine = "all" if has_all else "any"
        children = tuple(_node(child, facts) for child in r.tables(combine))
        if len(children) < 2:
            raise CatalogueError(f"{r.where}.{combine}: au moins deux conditions sont attendues")
        node = Node(label=label, rule=rule, combine=combine, children=children)
    r.done()
    return node


def _criterion(r: _Reader, facts: dict[str, Fact]) -> Criterion:
    rule = r.rule("rule")
    kind = r.str("kind", choices=("inclusion", "exclusion"))
    node = _node(r, facts)  # reads the remaining keys and calls done()
    return Criterion(rule=rule, kind=kind, node=node)


def _act(r: _Reader) -> Act:
    act = Act(
        code=r.str("code"), label=r.str("label"), trigger=r.str("trigger", choices=TRIGGERS),
        rule=r.rule("rule"), verified=r.bool("verified"), derogatory=r.bool("derogatory"),
        decisions=r.strs("decisions"),
        allowed_items_from=r.str("allowed_items_from", required=False,
                                 choices=("", "care_plan")),
        exclusions=r.strs("exclusions", required=False),
        alert_criteria=r.strs("alert_criteria", required=False),
        max_duration=r.str("max_duration", required=False),
    )
    r.done()
    return act


def _training(r: _Reader) -> Training:
    training = Training(
        role=r.str("role", choices=ROLES), rule=r.rule("rule"), known=r.bool("known"),
        validation_method=r.str("validation_method"), note=r.str("note", required=False),
        hours_theory=r.decimal("hours_theory", required=False),
        hours_practice=r.decimal("hours_practice", required=False),
    )
    r.done()
    return training


def _plain_table(r: _Reader | None, spec: dict[str, str]) -> dict:
    """A small table of texts and rule lists: {key: "str"|"rule"|"strs"|"rules"|"?str"…}."""
    if r is None:
        return {}
    out: dict[str, Any] = {}
    for key, kind in spec.items():
        required = not kind.startswith("?")
        kind = kind.lstrip("?")
        out[key] = getattr(r, kind)(key, required=required)
    r.done()
    return out


def _optional_table(r: _Reader, key: str, build):
    """`build(table)` when the table is there (its unknown keys refused), else None."""
    table = r.table(key, required=False)
    if table is None:
        return None
    value = build(table)
    table.done()
    return value


def load_protocol(path: Path, facts: dict[str, Fact] | None = None) -> Protocol:
    facts = facts if facts is not None else load_facts()
    r = _Reader(_read_toml(path), path.name)
    pid = r.str("id")
    if path.stem != pid:
        raise CatalogueError(f"{path.name}: l'id « {pid} » doit être le nom du fichier")
    follow_up = _optional_table(r, "follow_up", lambda follow: FollowUp(
        rule=follow.rule("rule"), act=follow.str("act"),
        nurse_visits_per_year=follow.int("nurse_visits_per_year"),
        doctor_visits_per_year=follow.int("doctor_visits_per_year"),
        interval_months=follow.int("interval_months"), note=follow.str("note", required=False),
    ))
    remuneration = _optional_table(r, "remuneration", lambda rem: Remuneration(
        rule=rem.rule("rule"), valid_from=rem.date("valid_from"),
        valid_from_verified=rem.bool("valid_from_verified"),
        forfait_total=rem.decimal("forfait_total"), nurse_share=rem.decimal("nurse_share"),
        doctor_share=rem.decimal("doctor_share"),
    ))
    if remuneration is not None and (
            remuneration.nurse_share + remuneration.doctor_share != remuneration.forfait_total):
        raise CatalogueError(f"{path.name}.remuneration: les parts ne font pas le total")
    protocol = Protocol(
        id=pid, order=r.int("order"), kind=r.str("kind", choices=KINDS), title=r.str("title"),
        short_title=r.str("short_title"), legal_ref=r.str("legal_ref"),
        legal_rules=r.rules("legal_rules"), authorised_on=r.date("authorised_on"),
        amended_on=r.dates("amended_on", required=False), valid_from=r.date("valid_from"),
        valid_to=r.date("valid_to", required=False), validity_rule=r.rule("validity_rule"),
        population=r.str("population"),
        population_rules=r.rules("population_rules"),
        required_practice_setting=r.strs("required_practice_setting"),
        practice_rules=r.rules("practice_rules"), delegant_role=r.str("delegant_role"),
        delegue_role=r.str("delegue_role"), responsibility=r.str("responsibility"),
        responsibility_rule=r.rule("responsibility_rule"), start=r.str("start"),
        start_rules=r.rules("start_rules"), billable_ngap=r.bool("billable_ngap"),
        billing_note=r.str("billing_note"), billing_rules=r.rules("billing_rules"),
        doctor_information=_plain_table(
            r.table("doctor_information"), {"rule": "rule", "how": "str", "reprise_rule": "?rule"}
        ),
        adhesion=_plain_table(
            r.table("adhesion"),
            {"rule": "rule", "declared_to": "str", "documents": "strs",
             "members": "strs", "yearly_indicators": "strs", "indicator_rules": "rules"},
        ),
        recording=r.strs("recording"), recording_rule=r.rule("recording_rule"),
        criteria=tuple(_criterion(c, facts) for c in r.tables("criteria")),
        acts=tuple(_act(a) for a in r.tables("acts")),
        training=tuple(_training(t) for t in r.tables("training")),
        follow_up=follow_up, remuneration=remuneration,
    )
    r.done()
    if not protocol.criteria:
        raise CatalogueError(f"{path.name}: aucun critère d'éligibilité")
    codes = [a.code for a in protocol.acts]
    if len(codes) != len(set(codes)):
        raise CatalogueError(f"{path.name}: code d'acte en double")
    if follow_up and follow_up.act not in codes:
        raise CatalogueError(f"{path.name}.follow_up.act: acte « {follow_up.act} » inconnu")
    bad_members = set(protocol.adhesion["members"]) - set(ROLES)
    if bad_members or not protocol.adhesion["members"]:
        raise CatalogueError(f"{path.name}.adhesion.members: rôles attendus parmi {ROLES}")
    if protocol.valid_to and protocol.valid_to < protocol.valid_from:
        raise CatalogueError(f"{path.name}: valid_to avant valid_from")
    return protocol


def load_delegation(path: Path | None = None) -> DelegationTable:
    path = path or DATA_DIR / "delegation.toml"
    r = _Reader(_read_toml(path), path.name)
    rules = []
    for t in r.tables("rules"):
        rules.append(DelegationRule(
            nature=t.str("nature", choices=NATURES), delegate=t.str("delegate", choices=DELEGATES),
            allowed=t.bool("allowed"), framework=t.str("framework"), rule=t.rule("rule"),
            label=t.str("label"), also_rules=t.rules("also_rules", required=False),
            checklist=t.strs("checklist", required=False),
            verified=t.bool("verified", required=False, default=True),
        ))
        t.done()
    activities = []
    for t in r.tables("activities"):
        activities.append(DelegableActivity(
            code=t.str("code"), label=t.str("label"), nature=t.str("nature", choices=NATURES)
        ))
        t.done()
    r.done()
    pairs = {(x.nature, x.delegate) for x in rules}
    missing = {(n, d) for n in NATURES for d in DELEGATES} - pairs
    if missing or len(pairs) != len(rules):
        raise CatalogueError(f"{path.name}: chaque (nature, délégué) doit avoir exactement une règle")
    return DelegationTable(rules=tuple(rules), activities=tuple(activities))


@dataclass(frozen=True)
class IadlLevel:
    level: int
    score: int
    label: str


def load_iadl_levels(path: Path | None = None) -> tuple[str, tuple[IadlLevel, ...]]:
    """R-PAPH-18: the IADL travel levels and the score each gives."""
    path = path or DATA_DIR / "facts.toml"
    r = _Reader(_read_toml(path).get("iadl_travel", {}), f"{path.name}:iadl_travel")
    rule = r.rule("rule")
    levels = []
    for t in r.tables("levels"):
        levels.append(IadlLevel(level=t.int("level"), score=t.int("score"), label=t.str("label")))
        t.done()
    r.done()
    if [x.level for x in levels] != list(range(1, len(levels) + 1)):
        raise CatalogueError(f"{path.name}:iadl_travel.levels: niveaux 1, 2, 3… attendus")
    return rule, tuple(levels)


@cache
def facts() -> dict[str, Fact]:
    return load_facts()


@cache
def iadl_levels() -> tuple[IadlLevel, ...]:
    return load_iadl_levels()[1]


@cache
def protocols() -> tuple[Protocol, ...]:
    """Every protocol of the data directory, in display order."""
    loaded = [load_protocol(p, facts()) for p in sorted(DATA_DIR.glob("*.toml"))
              if p.name not in ("facts.toml", "delegation.toml")]
    ids = [p.id for p in loaded]
    if len(ids) != len(set(ids)):
        raise CatalogueError("identifiant de protocole en double")
    return tuple(sorted(loaded, key=lambda p: (p.order, p.id)))


def get(protocol_id: str) -> Protocol | None:
    return next((p for p in protocols() if p.id == protocol_id), None)


@cache
def delegation() -> DelegationTable:
    return load_delegation()
