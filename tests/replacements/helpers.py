"""Builders of the pure rule inputs: a valid contract that each test breaks in one way."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from replacements import rules

D = dt.date


def titulaire(**kw) -> rules.TitulaireFacts:
    base = dict(
        id="claire",
        conventionne=True,
        unavailability=[rules.Unavailability(D(2026, 7, 1), D(2026, 7, 31), kind="conge")],
    )
    base.update(kw)
    return rules.TitulaireFacts(**base)


def remplacant(**kw) -> rules.RemplacantFacts:
    base = dict(
        installed=False,
        diploma_date=D(2018, 7, 1),
        ordre_registered=True,
        autorisations=[rules.Autorisation(D(2026, 1, 1), D(2026, 12, 31))],
        experience=[rules.Experience(D(2019, 1, 1), D(2023, 12, 31), hours=Decimal(7000),
                                     setting="etablissement_de_soins")],
        rcp_valid_to=D(2026, 12, 31),
        urssaf_declared_on=D(2026, 1, 5),
        other_contracts=[rules.OtherContract(D(2026, 1, 1), D(2026, 1, 2), party="zoe")],
    )
    base.update(kw)
    return rules.RemplacantFacts(**base)


def contract(**kw) -> rules.ContractFacts:
    base = dict(
        start=dt.datetime(2026, 7, 1, 8, 0),
        end=dt.datetime(2026, 7, 15, 20, 0),
        written=True,
        repeated=False,
        motif="congés annuels",
        cabinet_share_percent=Decimal(10),
    )
    base.update(kw)
    return rules.ContractFacts(**base)


def check(t=None, r=None, c=None, config=rules.DEFAULT_CONFIG) -> rules.CheckResult:
    return rules.check_contract(t or titulaire(), r or remplacant(), c or contract(), config)


def violation_rules(result) -> set[str]:
    return {f.rule for f in result.violations}


def warning_rules(result) -> set[str]:
    return {f.rule for f in result.warnings}


def all_rules(result) -> set[str]:
    return violation_rules(result) | warning_rules(result)


__all__ = ["D", "check", "contract", "remplacant", "replace", "titulaire", "violation_rules",
           "warning_rules", "all_rules"]
