"""LED-2: the ledger's figures from plain rows, so that every total is the sum
of the rows shown and reconciles with the invoices and payments to the cent.

Allocations settle a payer's share of a whole invoice; the figures « by letter
key » spread each allocation over the invoice's lines in proportion to that
payer's share of each line, by the largest remainder, so that the parts add
up to the allocation exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PAYERS = ("amo", "amc", "patient")


def apportion(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` (in cents) in proportion to `weights`, by the largest
    remainder: the parts always add up to `amount`."""
    total = sum(weights, ZERO)
    if not weights:
        return []
    if total == 0:
        parts = [ZERO] * len(weights)
        parts[0] = amount
        return parts
    raw = [amount * w / total for w in weights]
    parts = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    left = int(((amount - sum(parts, ZERO)) / CENT).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - parts[i]), i))
    step = CENT if left >= 0 else -CENT
    for i in order[: abs(left)]:
        parts[i] += step
    return parts


@dataclass(frozen=True)
class InvoiceKeyShare:
    """One invoice's lines of one letter key, summed per payer."""

    invoice_id: int
    key: str
    amount: Decimal
    amo: Decimal
    amc: Decimal
    patient: Decimal
    by_remplacant: bool = False


@dataclass(frozen=True)
class AllocationRow:
    invoice_id: int
    payer: str  # amo | amc | patient
    amount: Decimal


@dataclass
class Breakdown:
    billed: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    received: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    def rows(self) -> list[dict]:
        keys = sorted(set(self.billed) | set(self.received))
        return [{"key": k, "billed": self.billed.get(k, ZERO),
                 "received": self.received.get(k, ZERO)} for k in keys]

    @property
    def total_billed(self) -> Decimal:
        return sum(self.billed.values(), ZERO)

    @property
    def total_received(self) -> Decimal:
        return sum(self.received.values(), ZERO)


def received_by_key(shares: Iterable[InvoiceKeyShare],
                    allocations: Iterable[AllocationRow]) -> dict[str, Decimal]:
    """Each allocation spread over its invoice's keys by that payer's share."""
    per_invoice: Mapping[int, list[InvoiceKeyShare]] = defaultdict(list)
    for share in shares:
        per_invoice[share.invoice_id].append(share)
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for alloc in allocations:
        lines = sorted(per_invoice.get(alloc.invoice_id, []), key=lambda s: s.key)
        if not lines:
            out["?"] += alloc.amount
            continue
        weights = [getattr(line, alloc.payer) for line in lines]
        for line, part in zip(lines, apportion(alloc.amount, weights), strict=True):
            out[line.key] += part
    return dict(out)
