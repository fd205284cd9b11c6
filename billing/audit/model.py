"""The audit's inputs (what is about to be billed and what justifies it) and
its findings. Identifiers are kept as the caller gave them (JSON ids or
primary keys)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from billing.ngap.model import Passage

ERROR = "error"
WARNING = "warning"

# Lines that are not acts: majorations and travel (ngap.md §4-§6).
TRAVEL_CODES = frozenset({"IFD", "IFI", "IK"})
MAJORATION_CODES = frozenset({"MAU", "MCI", "MIE", "NUIT", "NUIT_PROF", "DIM"})
NIGHT_CODES = frozenset({"NUIT", "NUIT_PROF"})
SUNDAY_CODES = frozenset({"DIM"})
BSI_FORFAITS = frozenset({"BSA", "BSB", "BSC"})
# An AMI billed beside a BSI forfait or an AIS séance becomes AMX
# (NGAP-BSI-5): the prescription says AMI.
PRESCRIBED_KEY = {"AMX": "AMI"}


@dataclass(frozen=True, slots=True)
class PatientInfo:
    id: Hashable
    bsi_level: str | None = None
    bsi_date: date | None = None


@dataclass(frozen=True, slots=True)
class PrescribedAct:
    key: str
    coefficient: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PrescriptionInfo:
    id: Hashable
    patient: Hashable
    start: date
    end: date
    acts: tuple[PrescribedAct, ...] = ()
    date: date | None = None
    home: bool = False  # care at home prescribed (NGAP-13-1)
    night: bool = False  # imperative night execution (NGAP-14-3)
    daily: bool = False  # rigorously daily care (NGAP-14-3)


@dataclass(frozen=True, slots=True)
class BilledLine:
    code: str
    coefficient: Decimal | None
    rate: Decimal
    amount: Decimal

    @property
    def billed(self) -> bool:
        return bool(self.rate) and bool(self.amount)

    @property
    def is_act(self) -> bool:
        return self.code not in TRAVEL_CODES and self.code not in MAJORATION_CODES

    def text(self) -> str:
        coefficient = f" {_number(self.coefficient)}" if self.coefficient is not None else ""
        rate = f" × {int(self.rate * 100)} %" if self.rate != 1 else ""
        return f"{self.code}{coefficient}{rate} = {self.amount:.2f} €".replace(".", ",")


def _number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral_value() else str(value)
    return text.replace(".", ",")


@dataclass(frozen=True, slots=True)
class SeanceInfo:
    id: Hashable
    patient: Hashable
    nurse: Hashable | None
    prescription: Hashable | None
    # The facts the engine prices (the `ngap_quote` input of the séance), or
    # None when they cannot be priced (`pricing_error` says why).
    passage: Passage | None
    lines: tuple[BilledLine, ...]
    date: date
    time: time
    place: str = "domicile"
    urgent_call: bool = False
    # Same address as the previous séance of the nurse (NGAP-13-2): no overlap.
    shared_travel_with_previous: bool = False
    pricing_error: str = ""

    @property
    def billed_lines(self) -> list[BilledLine]:
        return [line for line in self.lines if line.billed]


@dataclass(frozen=True, slots=True)
class TourneeInfo:
    nurse: Hashable
    date: date
    passages: int
    km: Decimal


@dataclass(frozen=True)
class AuditInput:
    patients: tuple[PatientInfo, ...] = ()
    prescriptions: tuple[PrescriptionInfo, ...] = ()
    seances: tuple[SeanceInfo, ...] = ()
    tournees: tuple[TourneeInfo, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One finding: its rule, the séance, what is wrong and what to do."""

    rule: str
    seance: Hashable
    severity: str  # "error" | "warning"
    message: str
    action: str
    # AUD-9: the engine's cotation beside the billed one (lists of texts).
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def full_message(self) -> str:
        return f"{self.message} — {self.action}" if self.action else self.message

    @property
    def key(self) -> str:
        """Stable identity of a warning, for its acknowledgement."""
        return f"{self.rule}:{self.seance}:{self.message}"


@dataclass
class AuditResult:
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def valid(self) -> bool:
        return not self.errors

    def for_seance(self, seance_id) -> list[Finding]:
        return [f for f in self.findings if f.seance == seance_id]
