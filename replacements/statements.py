"""The rétrocession statement of a contract (or of a remplaçante) over a month or a period,
read from the séances' frozen lines (R-RETRO-1, R-REPL-42) and computed by the pure module
`retrocession`. A constant number of queries whatever the number of acts: one aggregate of
the lines per (titulaire, day, patient), one for the payments, one for the contracts.

Which acts count: the séances PERFORMED by the remplaçant (`performed_by`) and BILLED under
the titulaire (`nurse`, R-REPL-40), active (priced), dated inside the contract's period
(or up to its termination). Travel indemnities are the lines of kind "travel" (IFD, IK);
everything else is a care fee (R-REPL-36, R-REPL-48). Basis: the fees billed, by date of
care (R-REPL-35); with the "collected" basis, an invoice rejected by the payer reduces the
month in which the rejection is recorded (R-RETRO-5).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Seance, SeanceLine, SeanceStatus
from billing.models.invoices import InvoiceKind, InvoiceLine, InvoiceStatus

from . import retrocession as retro
from .models import Basis, Contract, ContractStatus, RetrocessionPayment

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=12, decimal_places=2)


def _cents(value) -> Decimal:
    """SQLite sums decimals as floats: back to exact cents (the lines are in cents)."""
    return Decimal(str(value)).quantize(retro.CENT)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str | None, default: dt.date) -> dt.date:
    """"YYYY-MM" → the first of that month (2000–2100), else the default's month."""
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return default.replace(day=1)


@dataclass
class Row:
    """One day × patient of acts."""

    date: dt.date
    patient_id: int
    patient: str
    seances: int
    fees: Decimal
    travel: Decimal


@dataclass
class Statement:
    contract: Contract
    start: dt.date
    end: dt.date
    rows: list[Row] = field(default_factory=list)
    payments: list[RetrocessionPayment] = field(default_factory=list)
    result: retro.Result = field(default_factory=retro.Result)

    @property
    def totals(self) -> retro.Totals:
        return self.result.totals

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.totals.retrocession - self.paid

    @property
    def seances(self) -> int:
        return sum(r.seances for r in self.rows)

    def by_day(self) -> list[dict]:
        days: dict[dt.date, dict] = {}
        for r in self.rows:
            d = days.setdefault(r.date, {"date": r.date, "seances": 0, "patients": 0,
                                         "fees": ZERO, "travel": ZERO})
            d["seances"] += r.seances
            d["patients"] += 1 if r.patient_id else 0
            d["fees"] += r.fees
            d["travel"] += r.travel
        return [days[k] for k in sorted(days)]

    def by_patient(self) -> list[dict]:
        patients: dict[int, dict] = {}
        for r in self.rows:
            p = patients.setdefault(r.patient_id, {"patient": r.patient, "seances": 0, "days": 0,
                                                   "fees": ZERO, "travel": ZERO})
            p["seances"] += r.seances
            p["days"] += 1
            p["fees"] += r.fees
            p["travel"] += r.travel
        return sorted(patients.values(), key=lambda p: p["patient"])

    @property
    def basis_note(self) -> str:
        if self.contract.basis == Basis.COLLECTED:
            return ("Assiette « honoraires encaissés » : honoraires des soins, diminués des "
                    "factures rejetées le mois où le rejet est enregistré (R-REPL-35, R-RETRO-5).")
        return ("Assiette « honoraires facturés » : honoraires des soins à leur date ; les rejets "
                "restent à la charge du titulaire (R-REPL-35).")


def contract_span(contract: Contract) -> tuple[dt.date, dt.date]:
    period = contract.period
    end = period.end
    if contract.terminated_on:
        end = min(end, contract.terminated_on)
    return period.start, end


def _rows(remplacant_id: int, titulaire_ids: list[int], start: dt.date, end: dt.date,
          by_patient: bool = True):
    """One aggregate query: (titulaire, day[, patient]) → séances, fees, travel."""
    keys = ["seance__nurse_id", "seance__date"]
    if by_patient:
        keys += ["seance__patient_id", "seance__patient__last_name", "seance__patient__first_name"]
    lines = (
        SeanceLine.objects.filter(
            seance__performed_by_id=remplacant_id, seance__nurse_id__in=titulaire_ids,
            seance__status=SeanceStatus.PRICED, seance__date__gte=start, seance__date__lte=end,
        )
        .values(*keys)
        .annotate(
            fees=Coalesce(Sum("amount", filter=~Q(kind="travel")), Value(ZERO), output_field=MONEY),
            travel=Coalesce(Sum("amount", filter=Q(kind="travel")), Value(ZERO), output_field=MONEY),
            seances=Count("seance_id", distinct=True),
        )
        .order_by(*keys[1:], "seance__nurse_id")
    )
    return list(lines)


TRAVEL_CODES = ("IFD", "IFI", "IK")
REJECTS_LABEL = "Factures rejetées (assiette encaissée)"


def _rejections(remplacant_id: int, titulaire_ids: list[int], start: dt.date, end: dt.date):
    """R-RETRO-5: the remplaçant's acts on invoices rejected within [start, end], by the
    day the rejection was recorded and the day of care (one query)."""
    return list(
        InvoiceLine.objects.filter(
            invoice__kind=InvoiceKind.INVOICE, invoice__status=InvoiceStatus.REJECTED,
            invoice__nurse_id__in=titulaire_ids, seance__performed_by_id=remplacant_id,
            invoice__settled_at__date__gte=start, invoice__settled_at__date__lte=end,
        )
        .values("invoice__nurse_id", "invoice__settled_at__date", "seance__date")
        .annotate(
            fees=Coalesce(Sum("amount", filter=~Q(code__in=TRAVEL_CODES)), Value(ZERO), output_field=MONEY),
            travel=Coalesce(Sum("amount", filter=Q(code__in=TRAVEL_CODES)), Value(ZERO), output_field=MONEY),
            seances=Count("seance_id", distinct=True),
        )
        .order_by("invoice__settled_at__date", "seance__date")
    )


def _covering(spans: list[tuple[Contract, dt.date, dt.date]], titulaire_id: int,
              day: dt.date) -> Contract | None:
    """The contract whose span covers the day; an avenant wins over what it amends."""
    found = None
    for c, start, end in spans:
        if c.titulaire_id == titulaire_id and start <= day <= end and (
                found is None or c.parent_id == found.pk):
            found = c
    return found


def signed_contracts(remplacant_id: int) -> list[Contract]:
    """The remplaçant's contracts that count for a rétrocession (signed or later)."""
    return list(
        Contract.objects.filter(remplacant_id=remplacant_id)
        .exclude(status=ContractStatus.DRAFT)
        .select_related("titulaire", "remplacant").order_by("start_at", "pk")
    )


def statements_for(remplacant_id: int, start: dt.date, end: dt.date,
                   contracts: list[Contract] | None = None, by_patient: bool = True) -> list[Statement]:
    """Every live or past contract of the remplaçant over [start, end], each with its acts,
    payments of the months concerned and the computation (R-RETRO-1…4). Without
    `by_patient` the rows are whole days (enough for the totals of a year)."""
    if contracts is None:
        contracts = signed_contracts(remplacant_id)
    # The spans once per contract: they convert aware datetimes to local dates.
    spans = [(c, *contract_span(c)) for c in contracts]
    spans = [(c, s, e) for c, s, e in spans if s <= end and e >= start]
    contracts = [c for c, _s, _e in spans]
    if not contracts:
        return []
    rows = _rows(remplacant_id, sorted({c.titulaire_id for c in contracts}), start, end, by_patient)
    payments = list(RetrocessionPayment.objects.filter(
        contract__in=contracts, month__gte=start.replace(day=1), month__lte=end).order_by("paid_on", "pk"))
    by_contract: dict[int, Statement] = {c.pk: Statement(c, start, end) for c in contracts}
    for line in rows:
        contract = _covering(spans, line["seance__nurse_id"], line["seance__date"])
        if contract is None:
            continue
        by_contract[contract.pk].rows.append(Row(
            date=line["seance__date"], patient_id=line.get("seance__patient_id", 0),
            patient=(f"{line['seance__patient__last_name'].upper()} {line['seance__patient__first_name']}"
                     if by_patient else ""),
            seances=line["seances"], fees=_cents(line["fees"]), travel=_cents(line["travel"]),
        ))
    if any(c.basis == Basis.COLLECTED for c in contracts):
        # R-RETRO-5 / R-REPL-35: with the "collected" basis the remplaçant bears the
        # rejected claims: a rejection reduces the month in which it is recorded.
        for line in _rejections(remplacant_id, sorted({c.titulaire_id for c in contracts}), start, end):
            contract = _covering(spans, line["invoice__nurse_id"], line["seance__date"])
            if contract is None or contract.basis != Basis.COLLECTED:
                continue
            by_contract[contract.pk].rows.append(Row(
                date=line["invoice__settled_at__date"], patient_id=0, patient=REJECTS_LABEL,
                seances=0, fees=-_cents(line["fees"]), travel=-_cents(line["travel"]),
            ))
    for p in payments:
        by_contract[p.contract_id].payments.append(p)
    for st in by_contract.values():
        st.result = retro.compute(
            (retro.Act(r.date, r.fees, r.travel) for r in st.rows), st.contract.terms())
    return [by_contract[c.pk] for c in contracts]


def contract_statement(contract: Contract, start: dt.date, end: dt.date) -> Statement:
    statements = statements_for(contract.remplacant_id, start, end, contracts=[contract])
    return statements[0] if statements else Statement(contract, start, end)


def year_to_date(remplacant_id: int, year: int, today: dt.date) -> retro.YearToDate:
    """R-RETRO-6 / R-FISC-4: receipts are counted when cashed: the payments of the year."""
    received = RetrocessionPayment.objects.filter(
        contract__remplacant_id=remplacant_id, paid_on__year=year, paid_on__lte=today,
    ).aggregate(total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))["total"]
    return retro.year_to_date(year, _cents(received))


def months_of(remplacant_id: int, year: int, contracts: list[Contract] | None = None) -> list[dict]:
    """The months of a year with acts or payments, each with its totals (one query each
    for the acts and the payments, whatever the number of months and contracts)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = []
    statements = statements_for(remplacant_id, start, end, contracts=contracts, by_patient=False)
    months: dict[dt.date, dict] = {}
    for st in statements:
        for m in st.result.months:
            entry = months.setdefault(m.first_day, {"month": m.first_day, "totals": retro.Totals(),
                                                    "paid": ZERO})
            entry["totals"] = entry["totals"] + m.totals
        for p in st.payments:
            entry = months.setdefault(p.month, {"month": p.month, "totals": retro.Totals(), "paid": ZERO})
            entry["paid"] += p.amount
    for key in sorted(months, reverse=True):
        entry = months[key]
        entry["balance"] = entry["totals"].retrocession - entry["paid"]
        out.append(entry)
    return out


def seances_total(contract: Contract, start: dt.date, end: dt.date) -> Decimal:
    """The séances' own totals over the same acts, to reconcile to the cent."""
    s, e = contract_span(contract)
    total = Seance.objects.filter(
        performed_by_id=contract.remplacant_id, nurse_id=contract.titulaire_id,
        status=SeanceStatus.PRICED, date__gte=max(s, start), date__lte=min(e, end),
    ).aggregate(total=Coalesce(Sum("total"), Value(ZERO), output_field=MONEY))["total"]
    return _cents(total)
