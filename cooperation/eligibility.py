"""Eligibility of a patient for the protocols of cooperation. Plain Python, no ORM.

From the facts known about a patient and the practice, it answers per protocol
`eligible`, `not_eligible` or `incomplete`, with, for each criterion, the facts used,
the result and the rule id (R-PAPH-1, R-PAPH-3, R-PAPH-4, R-PAPH-5, R-ASA-8, R-ASA-12…).

Three-valued logic: a fact absent from the input is unknown and is never guessed. A leaf
on an unknown fact is unknown; `all` is false as soon as one child is false, `any` is
true as soon as one child is true; otherwise unknown. An exclusion criterion is met when
its excluding situation does not hold. Status: `not_eligible` as soon as one criterion is
not met (an inclusion false or an exclusion that holds); otherwise `incomplete` if a
criterion is unknown (its missing facts are named); otherwise `eligible`. Adding a fact
can only turn `incomplete` into a definite answer, never flip a definite one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from . import catalogue
from .catalogue import Criterion, Node, Protocol


class Status(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        return {
            "eligible": "Éligible",
            "not_eligible": "Non éligible",
            "incomplete": "Informations manquantes",
        }[self.value]


@dataclass(frozen=True)
class Facts:
    """What is known on the evaluation date. A key absent or None is unknown."""

    date: dt.date
    practice: Mapping[str, Any] = field(default_factory=dict)
    patient: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        scope, key = name.split(".", 1)
        source = self.practice if scope == "practice" else self.patient
        return source.get(key)


@dataclass(frozen=True)
class NodeResult:
    node: Node
    result: bool | None
    text: str  # French: what was tested and what was found
    facts_used: dict[str, Any]
    missing: tuple[str, ...]  # facts whose absence makes this result unknown
    warnings: tuple[str, ...]
    children: tuple[NodeResult, ...] = ()


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    result: bool | None  # True: met (in favour of eligibility); None: unknown
    reason: str
    detail: NodeResult

    @property
    def rule(self) -> str:
        return self.criterion.rule

    @property
    def kind(self) -> str:
        return self.criterion.kind

    @property
    def label(self) -> str:
        return self.criterion.label

    @property
    def missing(self) -> tuple[str, ...]:
        return self.detail.missing

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.detail.warnings

    @property
    def facts_used(self) -> dict[str, Any]:
        return self.detail.facts_used

    def as_json(self) -> dict:
        return {"rule": self.rule, "result": self.result, "reason": self.reason}


@dataclass(frozen=True)
class ProtocolResult:
    protocol: Protocol
    status: Status
    criteria: tuple[CriterionResult, ...]

    @property
    def missing(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.criteria:
            for name in c.missing:
                seen.setdefault(name)
        return list(seen)

    @property
    def warnings(self) -> list[str]:
        return [w for c in self.criteria for w in c.warnings]

    def as_json(self) -> dict:
        return {
            "protocol": self.protocol.id,
            "status": self.status.value,
            "criteria": [c.as_json() for c in self.criteria],
        }


# --- leaves -----------------------------------------------------------------------------


def _anniversary(birth: dt.date, years: int) -> dt.date:
    """The date `years` after `birth`; a 29 February birthday falls on 1 March."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def _completed_years(birth: dt.date, on: dt.date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def _fmt(value: Any) -> str:
    if value is True:
        return "oui"
    if value is False:
        return "non"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _leaf(node: Node, facts: Facts) -> NodeResult:
    fact = catalogue.facts()[node.fact]
    value = facts.get(node.fact)
    if value is None:
        return NodeResult(
            node=node, result=None,
            text=f"{node.label} : inconnu ({fact.key} non renseigné)",
            facts_used={node.fact: None}, missing=(node.fact,), warnings=(),
        )
    warnings: list[str] = []
    if node.test == "is_true":
        result = value is True
        shown = _fmt(value)
    elif node.test == "is_false":
        result = value is False
        shown = _fmt(value)
    elif node.test in ("age_at_least", "age_over"):
        years = node.years or 0
        age = _completed_years(value, facts.date)
        shown = f"{age} ans le {_fmt(facts.date)} (né(e) le {_fmt(value)})"
        if node.test == "age_at_least":
            result = facts.date >= _anniversary(value, years)
        else:
            exact = facts.date > _anniversary(value, years)
            completed = facts.date >= _anniversary(value, years + 1)
            result = exact if node.age_rule == "exact_date" else completed
            if node.warn_if_readings_differ and exact != completed:
                rule = f" ({node.rule})" if node.rule else ""
                warnings.append(
                    f"Entre {years} et {years + 1} ans : éligible si « plus de {years} ans » se lit "
                    f"à la date exacte, non si l'on compte les années révolues{rule}. "
                    "Lecture retenue : "
                    + ("date exacte." if node.age_rule == "exact_date" else "années révolues.")
                )
    elif node.test == "at_least":
        result = Decimal(str(value)) >= node.value
        shown = _fmt(value)
    elif node.test == "below":
        result = Decimal(str(value)) < node.value
        shown = _fmt(value)
    else:  # the loader only lets known tests through
        raise ValueError(node.test)
    verdict = "oui" if result else "non"
    return NodeResult(
        node=node, result=result, text=f"{node.label} : {verdict} ({fact.key} = {shown})",
        facts_used={node.fact: value}, missing=(), warnings=tuple(warnings),
    )


# --- trees ------------------------------------------------------------------------------


def _combine(combine: str, results: list[bool | None]) -> bool | None:
    if combine == "all":
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _evaluate_node(node: Node, facts: Facts) -> NodeResult:
    if node.is_leaf:
        return _leaf(node, facts)
    children = tuple(_evaluate_node(child, facts) for child in node.children)
    result = _combine(node.combine, [c.result for c in children])
    missing: dict[str, None] = {}
    if result is None:
        for child in children:
            if child.result is None:
                for name in child.missing:
                    missing.setdefault(name)
    used: dict[str, Any] = {}
    for child in children:
        used.update(child.facts_used)
    joiner = " ; " if node.combine == "all" else " ; ou "
    verdict = {True: "oui", False: "non", None: "inconnu"}[result]
    text = f"{node.label} : {verdict} [{joiner.join(c.text for c in children)}]"
    warnings = tuple(w for c in children for w in c.warnings)
    return NodeResult(node=node, result=result, text=text, facts_used=used,
                      missing=tuple(missing), warnings=warnings, children=children)


def evaluate_criterion(criterion: Criterion, facts: Facts) -> CriterionResult:
    detail = _evaluate_node(criterion.node, facts)
    if criterion.kind == "exclusion":
        met = None if detail.result is None else not detail.result
        if met is None:
            prefix = "Exclusion non vérifiée"
        else:
            prefix = "Exclusion absente" if met else "Exclusion présente"
    else:
        met = detail.result
        prefix = {True: "Critère rempli", False: "Critère non rempli",
                  None: "Critère non vérifié"}[met]
    reason = f"{prefix} ({criterion.rule}) — {detail.text}."
    if detail.missing and met is None:
        names = ", ".join(detail.missing)
        reason += f" Fait(s) manquant(s) : {names}."
    if detail.warnings:
        reason += " Attention : " + " ".join(detail.warnings)
    return CriterionResult(criterion=criterion, result=met, reason=reason, detail=detail)


def _validity(protocol: Protocol, on: dt.date) -> CriterionResult:
    """A protocol out of force on the evaluation date (not yet authorised, suspended or
    ended: R-COOP-5, R-COOP-11, R-ASA-21) makes every patient not eligible."""
    end = f" au {_fmt(protocol.valid_to)}" if protocol.valid_to else ""
    label = f"Protocole en vigueur du {_fmt(protocol.valid_from)}{end}"
    node = Node(label=label, rule=protocol.validity_rule)
    text = f"{label} : non au {_fmt(on)}"
    detail = NodeResult(node=node, result=False, text=text, facts_used={}, missing=(),
                        warnings=())
    criterion = Criterion(rule=protocol.validity_rule, kind="inclusion", node=node)
    reason = f"Critère non rempli ({protocol.validity_rule}) — {text}."
    return CriterionResult(criterion=criterion, result=False, reason=reason, detail=detail)


def evaluate(protocol: Protocol, facts: Facts) -> ProtocolResult:
    results = tuple(evaluate_criterion(c, facts) for c in protocol.criteria)
    if not protocol.in_force(facts.date):
        results = (_validity(protocol, facts.date), *results)
    if any(r.result is False for r in results):
        status = Status.NOT_ELIGIBLE
    elif any(r.result is None for r in results):
        status = Status.INCOMPLETE
    else:
        status = Status.ELIGIBLE
    return ProtocolResult(protocol=protocol, status=status, criteria=results)


def evaluate_all(facts: Facts, protocols: tuple[Protocol, ...] | None = None) -> list[ProtocolResult]:
    """Every protocol of the catalogue, in display order."""
    protocols = catalogue.protocols() if protocols is None else protocols
    return [evaluate(p, facts) for p in protocols]
