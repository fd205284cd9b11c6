"""The rétrocession computation (docs/domain/remplacement.md, A12 "R-RETRO"), without the ORM.

R-RETRO-1: rétrocession = care fees + travel indemnities − retained amount, over the acts
the remplaçant performed (billed under the titulaire's name, R-REPL-40 and R-REPL-41).
R-RETRO-2: retained per calendar month = fees × cabinet share + travel × travel share,
each product rounded once to the cent, half up (R-REPL-36, R-REPL-48).
R-RETRO-3: an optional monthly cap on the retained amount.
R-RETRO-4: a period's totals are the sums of its months; nothing else is rounded.
R-RETRO-5: the basis (fees billed or collected, R-REPL-35) is chosen by the caller, which
passes the acts of that basis; a credit note is an act with negative fees in the month it
is recorded.
R-RETRO-6 and R-FISC-*: the year-to-date total against the micro-BNC threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """Round once to the cent, half up (R-RETRO-2)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Terms:
    """The contract's rétrocession clauses."""

    cabinet_share_percent: Decimal
    travel_to_remplacant: bool = True
    travel_share_percent: Decimal | None = None
    monthly_cap: Decimal | None = None

    @property
    def travel_share(self) -> Decimal:
        """R-RETRO-2: explicit share, else 0 when travel goes to the remplaçant, else the
        cabinet share."""
        if self.travel_share_percent is not None:
            return self.travel_share_percent
        return Decimal(0) if self.travel_to_remplacant else self.cabinet_share_percent


@dataclass(frozen=True)
class Act:
    date: dt.date
    fees: Decimal
    travel: Decimal = ZERO
    patient: str = ""


@dataclass(frozen=True)
class Totals:
    fees: Decimal = ZERO
    travel: Decimal = ZERO
    retained: Decimal = ZERO
    capped: bool = False

    @property
    def gross(self) -> Decimal:
        return self.fees + self.travel

    @property
    def retrocession(self) -> Decimal:
        return self.fees + self.travel - self.retained

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.fees + other.fees, self.travel + other.travel,
                      self.retained + other.retained, self.capped or other.capped)

    def as_json(self) -> dict:
        return {
            "fees": str(self.fees.quantize(CENT)),
            "travel": str(self.travel.quantize(CENT)),
            "retained": str(self.retained.quantize(CENT)),
            "retrocession": str(self.retrocession.quantize(CENT)),
        }


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    totals: Totals

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


@dataclass(frozen=True)
class Result:
    months: Sequence[Month] = field(default_factory=tuple)

    @property
    def totals(self) -> Totals:
        total = Totals()
        for m in self.months:
            total = total + m.totals
        return total

    def as_json(self) -> dict:
        return self.totals.as_json()


def month_totals(fees: Decimal, travel: Decimal, terms: Terms) -> Totals:
    """R-RETRO-2 / R-RETRO-3 for one calendar month's sums."""
    retained = cents(fees * terms.cabinet_share_percent / HUNDRED) + cents(
        travel * terms.travel_share / HUNDRED
    )
    capped = False
    if terms.monthly_cap is not None and retained > terms.monthly_cap:
        retained, capped = terms.monthly_cap, True
    return Totals(fees, travel, retained, capped)


def compute(acts: Iterable[Act], terms: Terms) -> Result:
    """R-RETRO-1..4: months in order, each computed on its own sums."""
    sums: dict[tuple[int, int], list[Decimal]] = {}
    for act in acts:
        bucket = sums.setdefault((act.date.year, act.date.month), [ZERO, ZERO])
        bucket[0] += act.fees
        bucket[1] += act.travel
    return Result(tuple(
        Month(y, m, month_totals(fees, travel, terms)) for (y, m), (fees, travel) in sorted(sums.items())
    ))


# --- tax (R-FISC-*) -----------------------------------------------------------------------

# R-FISC-2: micro-BNC receipts threshold by first year of validity, with its text.
MICRO_BNC_THRESHOLDS: tuple[tuple[int, Decimal, str], ...] = (
    (2020, Decimal("72600"), "seuil 2020–2022 (CGI art. 50-0 / 102 ter)"),
    (2023, Decimal("77700"), "décret 2023-422, seuils 2023–2025"),
    (2026, Decimal("83600"), "revalorisation triennale 2026–2028 (URSSAF, Service-Public, "
                             "février 2026 ; à confirmer au CGI art. 102 ter)"),
)
# R-FISC-3: flat allowance 34 %, minimum €305 (CGI art. 102 ter).
MICRO_BNC_ALLOWANCE_RATE = Decimal("0.34")
MICRO_BNC_ALLOWANCE_MIN = Decimal("305")


def micro_bnc_threshold(year: int) -> tuple[Decimal, str] | None:
    """R-FISC-2: the threshold in force for `year` (None before the first known one)."""
    found = None
    for since, amount, text in MICRO_BNC_THRESHOLDS:
        if year >= since:
            found = (amount, text)
    return found


def micro_bnc_allowance(receipts: Decimal) -> Decimal:
    """R-FISC-3: 34 % of receipts, at least €305, never more than the receipts."""
    allowance = max(cents(receipts * MICRO_BNC_ALLOWANCE_RATE), MICRO_BNC_ALLOWANCE_MIN)
    return min(allowance, max(receipts, ZERO))


def micro_bnc_regime(receipts_by_year: dict[int, Decimal], year: int) -> str:
    """R-FISC-4: above the threshold two consecutive years → "reel" from 1 January of
    the next year; one year above keeps "micro"."""
    def over(y: int) -> bool:
        threshold = micro_bnc_threshold(y)
        return threshold is not None and receipts_by_year.get(y, ZERO) > threshold[0]

    return "reel" if over(year - 1) and over(year - 2) else "micro"


@dataclass(frozen=True)
class YearToDate:
    """R-RETRO-6: rétrocession received this year against the micro-BNC threshold."""

    year: int
    received: Decimal
    threshold: Decimal | None
    threshold_text: str

    @property
    def remaining(self) -> Decimal | None:
        return None if self.threshold is None else self.threshold - self.received

    @property
    def percent(self) -> Decimal | None:
        if not self.threshold:
            return None
        return (self.received * HUNDRED / self.threshold).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def over(self) -> bool:
        return self.threshold is not None and self.received > self.threshold


def year_to_date(year: int, received: Decimal) -> YearToDate:
    threshold = micro_bnc_threshold(year)
    return YearToDate(year, received, threshold[0] if threshold else None,
                      threshold[1] if threshold else "")


# R-FISC-1 / R-FISC-5 / R-FISC-6 / R-FISC-7: the notes printed on every statement.
TAX_NOTES = (
    ("R-FISC-1", "La rétrocession est un revenu non commercial (BNC) du remplaçant, qui acquitte "
                 "ses propres cotisations (URSSAF, Carpimko) et son assurance RCP."),
    ("R-FISC-5", "La rétrocession versée au remplaçant est exonérée de TVA (CGI art. 261-4-1°, "
                 "rescrit BOI-RES-000056)."),
    ("R-FISC-6", "La part conservée par le titulaire pour la mise à disposition du cabinet est "
                 "soumise à la TVA, sauf remplacement occasionnel ou franchise en base."),
    ("R-FISC-7", "Le titulaire déclare les honoraires rétrocédés sur la DAS2 (seuil par "
                 "bénéficiaire à confirmer)."),
)


def vat_applies_to_retained(occasional: bool, retained: Decimal) -> bool:
    """R-FISC-6: the retained share is subject to VAT unless the replacement is occasional
    (the titulaire's franchise en base is hers to apply)."""
    return retained > 0 and not occasional
