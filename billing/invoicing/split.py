"""FAC-6: the split of each invoice line between the AMO, the AMC (or the
C2S) and the patient. Pure Python, no ORM.

- AMO share: the line's frozen AMO rate (AMO-1 60 %, AMO-2 100 % for care
  related to the ALD, per act on a bizone prescription), raised to 100 % when
  the care is covered by maternité or AT/MP on its date (AMO-3).
- The rest (ticket modérateur): to the C2S when the patient has it (AMO-4,
  nothing to the patient); else to the AMC when the patient has one with tiers
  payant complémentaire; else to the patient.
- The franchise médicale (AMO-5) is never on the invoice.
- Rounding: the AMO part is the frozen per-line amount (AMO-6, reading
  UNCERTAIN); the other parts are exact differences, so each line adds up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
FULL = Decimal(1)


@dataclass(frozen=True, slots=True)
class Coverage:
    regime: str = ""
    ald: bool = False
    exemption: str = ""  # "" | "maternite" | "at_mp", on the date of care (AMO-3)
    c2s: bool = False
    amc: str = ""
    amc_tiers_payant: bool = False

    @property
    def complementary_payer(self) -> str:
        if self.c2s:
            return "C2S"
        if self.amc and self.amc_tiers_payant:
            return self.amc
        return ""


@dataclass(frozen=True, slots=True)
class Split:
    amo_rate: Decimal
    amo: Decimal
    amc: Decimal
    patient: Decimal
    rules: tuple[str, ...]


def split_line(amount: Decimal, amo_rate: Decimal, amo: Decimal, coverage: Coverage) -> Split:
    """The parts of one line of `amount` whose AMO rate and part were frozen
    when the séance was priced."""
    rules: list[str] = []
    if coverage.exemption in ("maternite", "at_mp") and amo_rate < FULL:
        amo_rate, amo = FULL, amount
        rules.append("AMO-3")
    elif amo_rate >= FULL:
        rules.append("AMO-3" if coverage.exemption else "AMO-2")
    else:
        rules.append("AMO-1")
    rest = amount - amo
    if coverage.c2s:
        rules.append("AMO-4")
        return Split(amo_rate, amo, rest, Decimal("0.00"), tuple(rules + ["FAC-6"]))
    if coverage.amc and coverage.amc_tiers_payant:
        return Split(amo_rate, amo, rest, Decimal("0.00"), tuple(rules + ["FAC-6"]))
    return Split(amo_rate, amo, Decimal("0.00"), rest, tuple(rules + ["FAC-6"]))


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
