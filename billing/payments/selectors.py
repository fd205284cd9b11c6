"""What each person sees of payments and the ledger, and the ledger's figures
read with a constant number of queries whatever the period's size.

- the secrétaire: every billing nurse's payments and ledger;
- a titulaire: her own;
- a remplaçant(e): only the acts she performed (billed under the titulaire,
  FAC-1), no receipts;
- the administrator: nothing (no billing data).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from billing.ledger import aging
from billing.ledger.figures import AllocationRow, InvoiceKeyShare, received_by_key
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from billing.models.payments import SHARE_FIELD, Allocation, PayerKind, Payment, cents
from core.models import Role

ZERO = Decimal("0.00")
OPEN = (InvoiceStatus.VALIDATED, InvoiceStatus.TRANSMITTED, InvoiceStatus.PARTIALLY_PAID,
        InvoiceStatus.REJECTED)
PAYERS = (PayerKind.AMO, PayerKind.AMC, PayerKind.PATIENT)
MONEY = DecimalField(max_digits=12, decimal_places=2)


def billing_nurses_for(user) -> QuerySet:
    """The billing nurses whose ledger this user may open."""
    users = get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name")
    role = getattr(user, "role", None)
    if role == Role.SECRETAIRE:
        return users.filter(role=Role.TITULAIRE)
    if role in (Role.TITULAIRE, Role.REMPLACANT):
        return users.filter(pk=user.pk)
    return users.none()


def payments_visible_to(user) -> QuerySet[Payment]:
    role = getattr(user, "role", None)
    if role == Role.SECRETAIRE:
        return Payment.objects.all()
    if role == Role.TITULAIRE:
        return Payment.objects.filter(nurse=user)
    return Payment.objects.none()


def can_record_payments(user) -> bool:
    return getattr(user, "role", None) in (Role.SECRETAIRE, Role.TITULAIRE)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # month | year

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.start.year)
        months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                  "septembre", "octobre", "novembre", "décembre")
        return f"{months[self.start.month - 1]} {self.start.year}"

    @property
    def slug(self) -> str:
        return f"{self.start:%Y}" if self.kind == "year" else f"{self.start:%Y-%m}"

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (datetime.combine(self.start, time.min, tzinfo=tz),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz))


def month(year: int, month_no: int) -> Period:
    start = date(year, month_no, 1)
    nxt = date(year + (month_no == 12), month_no % 12 + 1, 1)
    return Period(start, nxt - timedelta(days=1), "month")


def year(year_no: int) -> Period:
    return Period(date(year_no, 1, 1), date(year_no, 12, 31), "year")


# ---------------------------------------------------------------- the ledger


@dataclass
class PayerFigures:
    payer: str
    label: str
    billed: Decimal = ZERO
    received: Decimal = ZERO  # on the period's invoices, to date

    @property
    def outstanding(self) -> Decimal:
        return self.billed - self.received


@dataclass
class Ledger:
    nurse: object
    period: Period
    invoice_count: int = 0
    billed: Decimal = ZERO
    by_payer: list[PayerFigures] = field(default_factory=list)
    by_key: list[dict] = field(default_factory=list)
    remplacants: list[dict] = field(default_factory=list)
    receipts_total: Decimal = ZERO
    receipts_by_payer: dict[str, Decimal] = field(default_factory=dict)
    receipts_count: int = 0
    # Per day of the month, or per month of the year.
    series: list[tuple[date, Decimal, Decimal]] = field(default_factory=list)
    per_month: list[tuple[date, Decimal, Decimal]] = field(default_factory=list)

    @property
    def received_on_invoices(self) -> Decimal:
        return sum((p.received for p in self.by_payer), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((p.outstanding for p in self.by_payer), ZERO)


def period_invoices(nurse, period: Period) -> QuerySet[Invoice]:
    """LED-2: what the nurse billed in the period — every invoice and avoir
    validated in it (a cancelled invoice counts when issued, its avoir when
    issued: they cancel out over the two dates)."""
    start, end = period.bounds()
    return Invoice.objects.filter(nurse=nurse, validated_at__gte=start, validated_at__lt=end)


def period_payments(nurse, period: Period) -> QuerySet[Payment]:
    """LED-1: the receipts of the period, in date order; cancelled ones are
    not receipts."""
    return Payment.objects.filter(nurse=nurse, received_on__gte=period.start,
                                  received_on__lte=period.end, cancelled_at__isnull=True)


def ledger(nurse, period: Period, *, today: date | None = None) -> Ledger:
    today = today or timezone.localdate()
    result = Ledger(nurse=nurse, period=period)
    invoices = period_invoices(nurse, period)
    totals = invoices.aggregate(n=Count("pk"), total=Sum("total"), amo=Sum("amo"),
                                amc=Sum("amc"), patient=Sum("patient_share"))
    result.invoice_count = totals["n"]
    result.billed = cents(totals["total"])
    # What the payers have paid, to date, on the period's invoices.
    allocations = list(
        Allocation.objects.filter(invoice__in=invoices, payment__cancelled_at__isnull=True)
        .values("invoice_id", payer=F("payment__payer_kind")).annotate(amount=Sum("amount")))
    paid_by_payer: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in allocations:
        row["amount"] = cents(row["amount"])
        paid_by_payer[row["payer"]] += row["amount"]
    source = {PayerKind.AMO: "amo", PayerKind.AMC: "amc", PayerKind.PATIENT: "patient"}
    result.by_payer = [PayerFigures(payer=p, label=p.label, billed=cents(totals[source[p]]),
                                    received=paid_by_payer.get(p, ZERO)) for p in PAYERS]
    # By letter key, with each allocation spread over the invoice's lines.
    shares = [
        InvoiceKeyShare(row["invoice_id"], row["code"], cents(row["amount"]), cents(row["amo"]),
                        cents(row["amc"]), cents(row["patient"]))
        for row in InvoiceLine.objects.filter(invoice__in=invoices)
        .values("invoice_id", "code").annotate(amount=Sum("amount"), amo=Sum("amo"),
                                               amc=Sum("amc"), patient=Sum("patient_share"))
    ]
    billed_key: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for share in shares:
        billed_key[share.key] += share.amount
    payer_attr = {PayerKind.AMO: "amo", PayerKind.AMC: "amc", PayerKind.PATIENT: "patient"}
    received_key = received_by_key(shares, [
        AllocationRow(row["invoice_id"], payer_attr[PayerKind(row["payer"])], row["amount"])
        for row in allocations])
    result.by_key = [
        {"key": key, "billed": billed_key.get(key, ZERO), "received": received_key.get(key, ZERO),
         "outstanding": billed_key.get(key, ZERO) - received_key.get(key, ZERO)}
        for key in sorted(set(billed_key) | set(received_key))
    ]
    # The remplaçants' acts, shown apart (they feed the rétrocession).
    result.remplacants = list(
        InvoiceLine.objects.filter(invoice__in=invoices, seance__performed_by__isnull=False)
        .exclude(seance__performed_by=nurse)
        .values("seance__performed_by", first_name=F("seance__performed_by__first_name"),
                last_name=F("seance__performed_by__last_name"))
        .annotate(amount=Sum("amount"), lines=Count("pk")).order_by("last_name"))
    for row in result.remplacants:
        row["amount"] = cents(row["amount"])
    # Receipts (cash basis, LED-1).
    payments = period_payments(nurse, period)
    receipts = {row["payer_kind"]: row for row in
                payments.values("payer_kind").annotate(total=Sum("amount"), n=Count("pk"))}
    result.receipts_by_payer = {p: cents(receipts[p]["total"] if p in receipts else None)
                                for p in PAYERS}
    result.receipts_total = sum(result.receipts_by_payer.values(), ZERO)
    result.receipts_count = sum(row["n"] for row in receipts.values())
    # Series for the charts: per day of a month, per month of a year (the
    # same two queries either way).
    if period.kind == "month":
        trunc_billed, trunc_received = TruncDate("validated_at"), "received_on"
        steps = [period.start + timedelta(days=i)
                 for i in range((period.end - period.start).days + 1)]
        last_month = period.start
    else:
        trunc_billed, trunc_received = TruncMonth("validated_at"), TruncMonth("received_on")
        steps = [date(period.start.year, m, 1) for m in range(1, 13)]
        last_month = date(period.start.year, 12, 1)
    billed_step = {_as_date(row["step"]): cents(row["total"]) for row in invoices.annotate(
        step=trunc_billed).values("step").annotate(total=Sum("total"))}
    received_step = {_as_date(row["step"]): cents(row["total"]) for row in payments.annotate(
        step=trunc_received if not isinstance(trunc_received, str) else F(trunc_received))
        .values("step").annotate(total=Sum("amount"))}
    result.series = [(step, billed_step.get(step, ZERO), received_step.get(step, ZERO))
                     for step in steps]
    first_month = date(last_month.year - (last_month.month < 12), last_month.month % 12 + 1, 1)
    span = Period(first_month, month(last_month.year, last_month.month).end, "span")
    billed_month = {_as_date(row["m"]): cents(row["total"]) for row in period_invoices(nurse, span)
                    .annotate(m=TruncMonth("validated_at")).values("m")
                    .annotate(total=Sum("total"))}
    received_month = {_as_date(row["m"]): cents(row["total"]) for row in period_payments(nurse, span)
                      .annotate(m=TruncMonth("received_on")).values("m")
                      .annotate(total=Sum("amount"))}
    months = []
    current = first_month
    for _ in range(12):
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    result.per_month = [(m, billed_month.get(m, ZERO), received_month.get(m, ZERO))
                        for m in months]
    return result


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def receipts(nurse, period: Period) -> QuerySet[Payment]:
    """LED-1: the receipts in date order with the invoices they settle."""
    return (period_payments(nurse, period).order_by("received_on", "pk")
            .prefetch_related("allocations__invoice"))


# ---------------------------------------------------------------- PAY-3


@dataclass
class AgedRow:
    label: str
    bands: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.bands.values(), ZERO)


def _open_invoices(user) -> QuerySet[Invoice]:
    from billing.invoicing.selectors import invoices_visible_to

    paid = {p: Sum("allocations__amount", filter=Q(
        allocations__payment__payer_kind=p, allocations__payment__cancelled_at__isnull=True))
        for p in PAYERS}
    return (invoices_visible_to(user).filter(kind=InvoiceKind.INVOICE, status__in=OPEN)
            .annotate(**{f"paid_{p}": expr for p, expr in paid.items()}))


def outstanding_items(user, *, today: date | None = None):
    """PAY-3: (invoice, payer, due, band) for every unpaid share."""
    today = today or timezone.localdate()
    for invoice in _open_invoices(user).select_related("nurse", "patient").order_by(
            "validated_at", "pk"):
        issued = timezone.localtime(invoice.validated_at).date() if invoice.validated_at else today
        for payer in PAYERS:
            due = getattr(invoice, SHARE_FIELD[payer]) - cents(getattr(invoice, f"paid_{payer}"))
            if due > 0:
                yield invoice, payer, due, aging.band_for(issued, today)


# A share is due when more than half a cent remains: SQLite sums the
# allocations as floats, and a share paid in full must not count as due.
DUE_ABOVE = Decimal("0.005")


def with_dues(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """PAY-3 in SQL: each invoice annotated with `due_<payer>`, its share
    minus the allocations of payments not cancelled, as correlated subqueries
    so that an aggregate can add them up (`outstanding_aggregates`)."""
    annotations = {}
    for payer in PAYERS:
        paid = (Allocation.objects.filter(invoice=OuterRef("pk"), payment__payer_kind=payer,
                                          payment__cancelled_at__isnull=True)
                .order_by().values("invoice").annotate(total=Sum("amount")).values("total"))
        annotations[f"due_{payer}"] = ExpressionWrapper(
            F(SHARE_FIELD[payer]) - Coalesce(Subquery(paid), Value(ZERO), output_field=MONEY),
            output_field=MONEY)
    return invoices.annotate(**annotations)


def outstanding_aggregates() -> dict:
    """Aggregates over `with_dues(...)`: the invoices awaiting payment and the
    amount still due, the figures `outstanding_items` lists one by one."""
    open_invoice = Q(kind=InvoiceKind.INVOICE, status__in=OPEN)
    due = {payer: Q(**{f"due_{payer}__gt": DUE_ABOVE}) for payer in PAYERS}
    any_due = Q()
    for condition in due.values():
        any_due |= condition
    remaining = sum(
        (Case(When(due[payer], then=F(f"due_{payer}")), default=Value(ZERO), output_field=MONEY)
         for payer in PAYERS[1:]),
        Case(When(due[PAYERS[0]], then=F(f"due_{PAYERS[0]}")), default=Value(ZERO),
             output_field=MONEY))
    return {
        "outstanding_count": Count("pk", filter=open_invoice & any_due),
        "outstanding_amount": Sum(remaining, filter=open_invoice, output_field=MONEY),
    }


def outstanding_totals(user) -> dict:
    """PAY-3: {count, amount} of the unpaid invoices this user sees, in one
    query (the home page's « paiements attendus »)."""
    from billing.invoicing.selectors import invoices_visible_to

    figures = with_dues(invoices_visible_to(user)).aggregate(**outstanding_aggregates())
    return {"count": figures["outstanding_count"], "amount": cents(figures["outstanding_amount"])}


def outstanding_summary(user, *, today: date | None = None) -> dict:
    """PAY-3: aged totals per payer and per billing nurse."""
    empty = {key: ZERO for key, *_ in aging.BANDS}
    by_payer = {p: AgedRow(p.label, dict(empty)) for p in PAYERS}
    by_nurse: dict[int, AgedRow] = {}
    total = AgedRow("Total", dict(empty))
    for invoice, payer, due, band in outstanding_items(user, today=today):
        by_payer[payer].bands[band] += due
        nurse_row = by_nurse.setdefault(
            invoice.nurse_id, AgedRow(invoice.nurse.get_full_name() or invoice.nurse.username,
                                      dict(empty)))
        nurse_row.bands[band] += due
        total.bands[band] += due
    return {"by_payer": list(by_payer.items()), "by_nurse": list(by_nurse.items()),
            "total": total}


# ---------------------------------------------------------------- the remplaçant(e)


def performed_lines(user, period: Period) -> QuerySet[InvoiceLine]:
    """The invoice lines of the acts this remplaçant(e) performed, billed
    under the titulaire (FAC-1) on invoices issued in the period."""
    start, end = period.bounds()
    return (InvoiceLine.objects.filter(seance__performed_by=user, invoice__validated_at__gte=start,
                                       invoice__validated_at__lt=end)
            .exclude(invoice__nurse=user).order_by("invoice__validated_at", "invoice_id",
                                                   "position"))


def performed_totals(user, period: Period) -> dict:
    rows = list(performed_lines(user, period).order_by().values("code")
                .annotate(amount=Sum("amount"), n=Count("pk")).order_by("code"))
    for row in rows:
        row["amount"] = cents(row["amount"])
    return {"by_key": rows, "total": sum((r["amount"] for r in rows), ZERO),
            "count": sum(r["n"] for r in rows)}


# ---------------------------------------------------------------- the accountant


def yearly_summary(nurse, year_no: int) -> list[tuple[date, dict[str, Decimal]]]:
    """LED-3: the year's receipts by month and payer."""
    span = year(year_no)
    totals = {(_as_date(row["m"]), row["payer_kind"]): cents(row["total"]) for row in
              period_payments(nurse, span).annotate(m=TruncMonth("received_on"))
              .values("m", "payer_kind").annotate(total=Sum("amount"))}
    return [(date(year_no, m, 1), {p.value: totals.get((date(year_no, m, 1), p.value), ZERO)
                                   for p in PAYERS}) for m in range(1, 13)]
