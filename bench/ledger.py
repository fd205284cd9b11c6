"""Benchmark of the ledger (LED-1…3) on PostgreSQL.

    python bench/ledger.py [--database-url URL] [--seances 50000] [--repeat 15]

Fills a throwaway PostgreSQL database (default `cabinet_bench_ledger` on
127.0.0.1, created if missing and migrated) with a six-nurse cabinet and one
year (2025) of data — about `--seances` priced séances, their invoices
(one per patient and week), weekly AMO payments and the patients' payments —
generated from a fixed seed, then measures as the secrétaire:
the month ledger page (June), the year ledger page, and the year's CSV export
of the billed acts: median server time over `--repeat` runs (Django's test
client, no network) and the SQL queries of each, plus the month page of a
near-empty nurse (one month of data) to show that the count does not grow.
Prints one JSON line
`{"seances", "month_ms", "year_ms", "month_queries", "year_queries", "export_ms"}`.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import bench_parser, start_django  # noqa: E402

YEAR = 2025
TAG = "bench-ledger"
CENT = Decimal("0.01")


def _fill(target: int) -> int:
    from django.db import transaction
    from django.utils import timezone

    from billing.models import (
        Invoice,
        InvoiceLine,
        InvoiceSeance,
        InvoiceStatus,
        Seance,
        SeanceLine,
        SeanceSource,
        SeanceStatus,
    )
    from billing.models.payments import Allocation, Payment
    from cabinet.models import Patient
    from core.models import Role, User

    existing = Seance.objects.filter(patient__admin_notes=TAG).count()
    if existing:
        return existing
    rng = random.Random(20251231)  # noqa: S311 - synthetic data
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        secretary, _ = User.objects.get_or_create(
            username="bench-secretaire", defaults={"role": Role.SECRETAIRE})
        nurses = [User.objects.get_or_create(
            username=f"bench-ide{i}", defaults={"role": Role.TITULAIRE, "first_name": "IDE",
                                                "last_name": f"Banc {i}"})[0] for i in range(6)]
        remplacant, _ = User.objects.get_or_create(
            username="bench-remplacante", defaults={"role": Role.REMPLACANT})
        patients = Patient.objects.bulk_create([
            Patient(last_name=f"Banc{i:04d}", first_name="Patient", sex="F",
                    birth_date=date(1940, 1, 1) + timedelta(days=i * 37 % 15000),
                    address=f"{i} rue du Banc", postcode="37000", city="Tours",
                    admin_notes=TAG, amo_regime="Régime général")
            for i in range(360)])
        per_day = max(target // (6 * 365), 1)
        seances, lines = [], []
        day = date(YEAR, 1, 1)
        while day.year == YEAR:
            for n, nurse in enumerate(nurses):
                for k in range(per_day):
                    patient = patients[(n * 60 + (k * 7 + day.toordinal()) % 60)]
                    ami = rng.choice((1, 2, 3, 4))
                    total = Decimal("3.15") * ami + Decimal("2.75")
                    amo = (total * Decimal("0.6")).quantize(CENT)
                    performer = remplacant if (day.month == 8 and n == 0) else nurse
                    seances.append(Seance(
                        source=SeanceSource.ENTRY, patient=patient, nurse=nurse,
                        performed_by=performer, date=day,
                        time=dtime(7 + k * 12 // per_day, (k * 7) % 60),
                        status=SeanceStatus.PRICED, total=total, amo=amo,
                        patient_share=total - amo, amo_rate=Decimal("0.60"),
                        tariff_version=date(2024, 1, 28),
                        invoiced_at=datetime.combine(day, dtime(20), tzinfo=tz)))
                    lines.append((ami, total, amo))
            day += timedelta(days=1)
        Seance.objects.bulk_create(seances, batch_size=2000)
        seance_lines = []
        for seance, (ami, _total, _amo) in zip(seances, lines, strict=True):
            for pos, (code, coef, unit) in enumerate((("AMI", ami, Decimal("3.15")),
                                                      ("IFD", None, Decimal("2.75")))):
                amount = unit * (coef or 1)
                seance_lines.append(SeanceLine(
                    seance=seance, position=pos, code=code, coefficient=coef, rate=1,
                    unit_value=unit, amount=amount, amo_rate=Decimal("0.60"),
                    amo=(amount * Decimal("0.6")).quantize(CENT), rules=["NGAP-11B-1"],
                    tariff_date=date(2024, 1, 28)))
        SeanceLine.objects.bulk_create(seance_lines, batch_size=5000)
        # One invoice per patient, nurse and ISO week; validated on the Monday after.
        groups = defaultdict(list)
        for seance in seances:
            groups[(seance.nurse_id, seance.patient_id, seance.date.isocalendar()[:2])].append(
                seance)
        invoices = []
        keys = sorted(groups, key=lambda k: (k[2], k[0], k[1]))
        for nurse_id, patient_id, _week in keys:
            group = groups[(nurse_id, patient_id, _week)]
            total = sum((s.total for s in group), Decimal(0))
            amo = sum((s.amo for s in group), Decimal(0))
            invoices.append(Invoice(
                patient_id=patient_id, nurse_id=nurse_id, created_by=secretary,
                period_start=group[0].date, period_end=group[-1].date, total=total, amo=amo,
                amc=Decimal(0), patient_share=total - amo))
        Invoice.objects.bulk_create(invoices, batch_size=2000)
        inv_lines, links = [], []
        by_seance = defaultdict(list)
        for line in seance_lines:
            by_seance[id(line.seance)].append(line)
        for invoice, key in zip(invoices, keys, strict=True):
            position = 0
            for seance in groups[key]:
                links.append(InvoiceSeance(invoice=invoice, seance=seance))
                for line in by_seance[id(seance)]:
                    inv_lines.append(InvoiceLine(
                        invoice=invoice, seance=seance, position=position, date=seance.date,
                        time=seance.time, code=line.code, coefficient=line.coefficient,
                        rate=line.rate, unit_value=line.unit_value, amount=line.amount,
                        rules=line.rules, tariff_date=line.tariff_date, amo_rate=line.amo_rate,
                        amo=line.amo, amc=Decimal(0), patient_share=line.amount - line.amo))
                    position += 1
        InvoiceSeance.objects.bulk_create(links, batch_size=5000)
        InvoiceLine.objects.bulk_create(inv_lines, batch_size=5000)
        counters = defaultdict(int)
        for invoice in invoices:
            counters[invoice.nurse_id] += 1
            invoice.sequence = counters[invoice.nurse_id]
            invoice.number = f"B{invoice.nurse_id}-{YEAR}-{invoice.sequence:06d}"
            monday = invoice.period_end + timedelta(days=7 - invoice.period_end.weekday())
            invoice.validated_at = datetime.combine(monday, dtime(9), tzinfo=tz)
            invoice.validated_by = secretary
            invoice.status = InvoiceStatus.PAID
        Invoice.objects.bulk_update(invoices, ["sequence", "number", "validated_at",
                                               "validated_by", "status"], batch_size=2000)
        # The caisse pays each nurse's AMO shares weekly, ten days after; the
        # patients pay their share at once, most of them.
        payments, allocations = [], []
        weekly = defaultdict(list)
        for invoice in invoices:
            weekly[(invoice.nurse_id, invoice.validated_at.date())].append(invoice)
        for (nurse_id, monday), group in sorted(weekly.items()):
            paid_on = monday + timedelta(days=10)
            amo = Payment(nurse_id=nurse_id, payer_kind="amo", payer_name="CPAM 37",
                          received_on=paid_on, means="virement", reference=f"REL-{paid_on}",
                          amount=sum((i.amo for i in group), Decimal(0)), created_by=secretary)
            payments.append((amo, [(i, i.amo) for i in group]))
            for invoice in group:
                if rng.random() < 0.8:
                    payments.append((Payment(
                        nurse_id=nurse_id, payer_kind="patient", payer_name="Patient",
                        received_on=monday, means=rng.choice(("cheque", "especes", "carte")),
                        amount=invoice.patient_share, created_by=secretary),
                        [(invoice, invoice.patient_share)]))
        Payment.objects.bulk_create([p for p, _ in payments], batch_size=2000)
        for payment, parts in payments:
            allocations.extend(Allocation(payment=payment, invoice=inv, amount=amount)
                               for inv, amount in parts)
        Allocation.objects.bulk_create(allocations, batch_size=5000)
    return len(seances)


def _measure(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx)
    return statistics.median(times) * 1000, queries


def main() -> None:
    parser = bench_parser(__doc__, "cabinet_bench_ledger")
    parser.add_argument("--seances", type=int, default=50000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    start_django(args.database_url, DJANGO_DEBUG="true", CELERY_BROKER_URL="")
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from core.models import User

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seances = _fill(args.seances)
    fill_s = time.perf_counter() - started
    secretary = User.objects.get(username="bench-secretaire")
    nurse = User.objects.get(username="bench-ide0")
    client = Client()
    client.force_login(secretary)
    month_ms, month_q = _measure(client, reverse("billing:ledger_month",
                                                 args=[nurse.pk, YEAR, 6]), args.repeat)
    year_ms, year_q = _measure(client, reverse("billing:ledger_year", args=[nurse.pk, YEAR]),
                               max(args.repeat // 3, 3))
    export_ms, _ = _measure(client, reverse("billing:ledger_export",
                                            args=[nurse.pk, str(YEAR), "actes"]), 3)
    # A nurse with nothing billed: the same number of queries.
    empty_q = _measure(client, reverse("billing:ledger_month",
                                       args=[nurse.pk, YEAR + 1, 1]),
                       1)[1]
    print(f"filled in {fill_s:.1f} s; month page {month_ms:.1f} ms ({month_q} queries), "
          f"empty month {empty_q} queries; year page {year_ms:.1f} ms ({year_q} queries); "
          f"year acts CSV {export_ms:.0f} ms", file=sys.stderr)
    print(json.dumps({"seances": seances, "month_ms": round(month_ms, 1),
                      "year_ms": round(year_ms, 1), "month_queries": month_q,
                      "year_queries": year_q, "export_ms": round(export_ms, 1)}))


if __name__ == "__main__":
    main()
