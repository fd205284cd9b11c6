"""PAY-1: a caisse's payment statement pasted or uploaded as CSV, read and
reconciled against the invoices before anything is saved.

The format (docs/paiements.md): UTF-8 text (a byte-order mark is allowed), one
line per invoice settled, two columns — the invoice number and the amount paid
— separated by `;`, `,` or a tab. An optional first line `numero;montant` is a
header. The amount takes a dot or a comma as decimal separator, at most two
decimals, no thousands separator and no currency sign (`12.60`, `12,60`).
Blank lines are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_LINES = 5000
HEADER_WORDS = {"numero", "numéro", "facture", "invoice", "number", "n°", "no"}
CENT = Decimal("0.01")


class StatementError(ValueError):
    """The statement cannot be read at all (the message is in French)."""


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    number: str
    amount: Decimal


@dataclass(frozen=True)
class LineError:
    line_no: int
    message: str


@dataclass
class Reconciliation:
    """What saving the statement would do, shown before anything is saved."""

    matched: list[tuple[StatementLine, Decimal]] = field(default_factory=list)
    differences: list[tuple[StatementLine, Decimal]] = field(default_factory=list)
    unmatched: list[StatementLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line, _due in self.matched + self.differences),
                   Decimal("0.00"))

    @property
    def can_save(self) -> bool:
        # Unreadable lines or unknown numbers must be fixed first; a difference
        # is allowed (a partial payment) but shown.
        return bool(self.matched or self.differences) and not (self.errors or self.unmatched)


def _amount(text: str) -> Decimal:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"montant illisible « {text.strip()[:20]} »") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("le montant doit être positif")
    if value != value.quantize(CENT):
        raise ValueError("au plus deux décimales")
    if value >= Decimal("1000000"):
        raise ValueError("montant trop élevé")
    return value.quantize(CENT)


def _dialect(sample: str) -> str:
    for sep in (";", "\t", ","):
        if sep in sample:
            return sep
    return ";"


def parse(text: str) -> tuple[list[StatementLine], list[LineError]]:
    """The statement's lines and the lines that could not be read."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise StatementError("Le relevé est vide.")
    rows = text.splitlines()
    if len(rows) > MAX_LINES:
        raise StatementError(f"Le relevé dépasse {MAX_LINES} lignes : découpez-le.")
    first = next((row for row in rows if row.strip()), "")
    separator = _dialect(first)
    lines: list[StatementLine] = []
    errors: list[LineError] = []
    reader = csv.reader(io.StringIO("\n".join(rows)), delimiter=separator)
    # A comma separator with a decimal comma ("F1,12,60") splits the amount in
    # two: glue the last two cells back when that is the only reading.
    for index, cells in enumerate(reader, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if separator == "," and len(cells) == 3 and cells[2].isdigit() and len(cells[2]) <= 2:
            cells = [cells[0], f"{cells[1]},{cells[2]}"]
        if index == 1 and cells and cells[0].casefold().strip(" _-") in HEADER_WORDS | {
                "numero_facture", "numéro_facture", "numero facture"}:
            continue
        if len(cells) != 2:
            errors.append(LineError(index, "deux colonnes attendues : numéro de facture ; montant"))
            continue
        number, amount_text = cells
        if not number or len(number) > 40:
            errors.append(LineError(index, "numéro de facture manquant ou trop long"))
            continue
        try:
            amount = _amount(amount_text)
        except ValueError as exc:
            errors.append(LineError(index, str(exc)))
            continue
        lines.append(StatementLine(index, number, amount))
    return lines, errors


def reconcile(lines: list[StatementLine], errors: list[LineError],
              dues: Mapping[str, Decimal]) -> Reconciliation:
    """Compare each line with what is still due on that invoice for this payer.

    `dues` maps an invoice number to the amount the payer still owes on it.
    A number listed twice is an error on its second line: one statement pays
    an invoice once.
    """
    result = Reconciliation(errors=list(errors))
    seen: set[str] = set()
    for line in lines:
        if line.number in seen:
            result.errors.append(LineError(line.line_no, f"facture {line.number} déjà listée"))
            continue
        seen.add(line.number)
        due = dues.get(line.number)
        if due is None:
            result.unmatched.append(line)
        elif line.amount == due:
            result.matched.append((line, due))
        elif line.amount > due:
            result.errors.append(LineError(
                line.line_no,
                f"facture {line.number} : {line.amount} € payés pour {due} € dus (PAY-1)"))
        else:
            result.differences.append((line, due))
    return result
