"""The rétrocession statement of a contract (or of a remplaçante) over a month or a period,
read from the séances' frozen lines (R-RETRO-1, R-REPL-42) and computed by the pure module
`retrocession`. A constant number of queries whatever the number of acts: one aggregate of
the lines per (titulaire, day, patient), one for the payments, one for the contracts.

Which acts count: the séances PERFORMED by the remplaçant (`performed_by`) and BILLED under
the titulaire (`nurse`, R-REPL-40), active (priced), dated inside the contract's period
(or up to its termination). Travel indemnities are the lines of kind "travel" (IFD, IK);
everything else is a care fee (R-REPL-36, R-REPL-48). Basis: the fees billed, by date of
care (R-REPL-35, R-RETRO-5); the "collected" basis is shown on the same figures with a
note until the invoices and payments of the ledger carry the collection dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Seance, SeanceLine, SeanceStatus

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
            d["patients"] += 1
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
            return ("Assiette « honoraires encaissés » : montants facturés à la date des soins, "
                    "à régulariser des impayés et rejets enregistrés.")
        return "Assiette : honoraires facturés, à la date des soins (R-REPL-35)."


def contract_span(contract: Contract) -> tuple[dt.date, dt.date]:
    period = contract.period
    end = period.end
    if contract.terminated_on:
        end = min(end, contract.terminated_on)
    return period.start, end


def _rows(remplacant_id: int, titulaire_ids: list[int], start: dt.date, end: dt.date):
    """One aggregate query: (titulaire, day, patient) → séances, fees, travel."""
    lines = (
        SeanceLine.objects.filter(
            seance__performed_by_id=remplacant_id, seance__nurse_id__in=titulaire_ids,
            seance__status=SeanceStatus.PRICED, seance__date__gte=start, seance__date__lte=end,
        )
        .values("seance__nurse_id", "seance__date", "seance__patient_id",
                "seance__patient__last_name", "seance__patient__first_name")
        .annotate(
            fees=Coalesce(Sum("amount", filter=~Q(kind="travel")), Value(ZERO), output_field=MONEY),
            travel=Coalesce(Sum("amount", filter=Q(kind="travel")), Value(ZERO), output_field=MONEY),
            seances=Count("seance_id", distinct=True),
        )
        .order_by("seance__date", "seance__patient__last_name", "seance__patient_id")
    )
    return list(lines)


def _covering(contracts: list[Contract], titulaire_id: int, day: dt.date) -> Contract | None:
    """The contract whose span covers the day; an avenant wins over what it amends."""
    found = None
    for c in contracts:
        if c.titulaire_id != titulaire_id:
            continue
        start, end = contract_span(c)
        if start <= day <= end and (found is None or c.parent_id == found.pk):
            found = c
    return found


def statements_for(remplacant_id: int, start: dt.date, end: dt.date,
                   contracts: list[Contract] | None = None) -> list[Statement]:
    """Every live or past contract of the remplaçant over [start, end], each with its acts,
    payments of the months concerned and the computation (R-RETRO-1…4)."""
    if contracts is None:
        contracts = list(
            Contract.objects.filter(remplacant_id=remplacant_id)
            .exclude(status=ContractStatus.DRAFT)
            .select_related("titulaire", "remplacant").order_by("start_at", "pk")
        )
    contracts = [c for c in contracts if contract_span(c)[0] <= end and contract_span(c)[1] >= start]
    if not contracts:
        return []
    rows = _rows(remplacant_id, sorted({c.titulaire_id for c in contracts}), start, end)
    payments = list(RetrocessionPayment.objects.filter(
        contract__in=contracts, month__gte=start.replace(day=1), month__lte=end).order_by("paid_on", "pk"))
    by_contract: dict[int, Statement] = {c.pk: Statement(c, start, end) for c in contracts}
    for line in rows:
        contract = _covering(contracts, line["seance__nurse_id"], line["seance__date"])
        if contract is None:
            continue
        by_contract[contract.pk].rows.append(Row(
            date=line["seance__date"], patient_id=line["seance__patient_id"],
            patient=f"{line['seance__patient__last_name'].upper()} {line['seance__patient__first_name']}",
            seances=line["seances"], fees=_cents(line["fees"]), travel=_cents(line["travel"]),
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


def months_of(remplacant_id: int, year: int) -> list[dict]:
    """The months of a year with acts or payments, each with its totals (one query each
    for the acts and the payments, whatever the number of months and contracts)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = []
    statements = statements_for(remplacant_id, start, end)
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
