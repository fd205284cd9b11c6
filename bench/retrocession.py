"""Benchmark of the rétrocession pages.

    python bench/retrocession.py [--acts 600] [--runs 15] [--database-url URL]

A fixed instance (no clock, no randomness): one titulaire and one remplaçante with 12
signed contracts over 2025 (one per month, 1st to 28th). March 2025 holds `--acts` séances
(AMI 4 + IFD, 40 patients), every other month 60, plus payments. Then:

- `month_ms`: server time of the remplaçante's month page (`/remplacements/retrocession/
  ?mois=2025-03`) through Django's test client, median of `--runs` after a warm-up;
- `queries_60` / `queries_600`: its SQL queries for a month of 60 acts (February) and of
  `--acts` acts (March): they must be equal;
- the statement's data (what the PDF freezes), median, on stderr;
- `statement_pdf_s`: the worker's whole job for the March statement PDF (context, render
  with WeasyPrint, store), one run after a warm-up render.

Works in a PostgreSQL database (`--database-url`, default `cabinet_bench` on 127.0.0.1,
created if missing, migrated; the bench's rows are replaced at each run) with a temporary
MEDIA_ROOT and eager tasks. Prints one JSON line.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import bench_parser, start_django  # noqa: E402

YEAR = 2025
MONTH = 3
PATIENTS = 40
PREFIX = "bench-retro-"


def _setup(acts: int):
    from django.db import transaction
    from django.utils import timezone

    from billing.models import Seance, SeanceLine
    from cabinet.models import Patient
    from core.models import Role, User
    from replacements import models as repl

    with transaction.atomic():
        old = list(User.objects.filter(username__startswith=PREFIX))
        contracts = repl.Contract.objects.filter(remplacant__in=old)
        repl.MonthlyStatement.objects.filter(contract__in=contracts).delete()
        repl.RetrocessionPayment.objects.filter(contract__in=contracts).delete()
        Seance.objects.filter(performed_by__in=old).delete()
        # Signed contracts are frozen (R-REPL-38): the bench drops its own previous run with
        # the triggers off for this transaction only (SET LOCAL; needs a superuser).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            contracts.delete()
            cursor.execute("SET LOCAL session_replication_role = origin")
        repl.Unavailability.objects.filter(titulaire__in=old).delete()
        Patient.objects.filter(last_name__startswith=PREFIX).delete()
        repl.TitulaireStatus.objects.filter(user__in=old).delete()
        repl.RemplacantProfile.objects.filter(user__in=old).delete()

        # The users stay from one run to the next (the documents of earlier runs name them).
        tit, _ = User.objects.get_or_create(username=f"{PREFIX}tit", defaults=dict(
            first_name="Tina", last_name="Titulaire", role=Role.TITULAIRE))
        rem, _ = User.objects.get_or_create(username=f"{PREFIX}rem", defaults=dict(
            first_name="Rémi", last_name="Remplaçant", role=Role.REMPLACANT, rpps="10003456786"))
        repl.TitulaireStatus.objects.create(user=tit)
        profile = repl.RemplacantProfile.objects.create(user=rem, ordre_number="1", diploma_date=dt.date(2015, 7, 1))
        repl.Autorisation.objects.create(profile=profile, number="A", issued_on=dt.date(2025, 1, 1),
                                         valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 12, 31))
        repl.ExperiencePeriod.objects.create(profile=profile, employer="CHU", setting="gcs",
                                             start=dt.date(2019, 1, 1), end=dt.date(2023, 12, 31), hours=Decimal(6000))
        patients = Patient.objects.bulk_create([
            Patient(last_name=f"{PREFIX}{i:03d}", first_name="Bench", birth_date=dt.date(1940, 1, 1 + i % 28),
                    sex="F", address=f"{i} rue du Banc", postcode="37000", city="Tours")
            for i in range(PATIENTS)
        ])
        contracts = []
        for month in range(1, 13):
            start = dt.date(YEAR, month, 1)
            end = dt.date(YEAR, month, 28)
            unav = repl.Unavailability.objects.create(titulaire=tit, kind="conge", start=start, end=end)
            contracts.append(repl.Contract(
                titulaire=tit, remplacant=rem, unavailability=unav, motif="congés",
                status=repl.ContractStatus.ENDED,
                start_at=timezone.make_aware(dt.datetime.combine(start, dt.time())),
                end_at=timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time())),
                cabinet_share_percent=Decimal(10), signed_by_titulaire_at=timezone.now(),
                signed_by_remplacant_at=timezone.now()))
        repl.Contract.objects.bulk_create(contracts)
        seances = []
        for month in range(1, 13):
            n = acts if month == MONTH else 60
            for i in range(n):
                seances.append(Seance(
                    patient=patients[i % PATIENTS], nurse=tit, performed_by=rem,
                    date=dt.date(YEAR, month, 1 + i % 28), time=dt.time(7 + i % 12),
                    total=Decimal("15.35"), amo=Decimal("9.21"), patient_share=Decimal("6.14")))
        Seance.objects.bulk_create(seances, batch_size=1000)
        lines = []
        for s in seances:
            common = dict(seance=s, rate=Decimal(1), amo_rate=Decimal("0.60"), tariff_date=dt.date(2025, 1, 1))
            lines.append(SeanceLine(position=0, code="AMI", coefficient=Decimal(4), unit_value=Decimal("3.15"),
                                    amount=Decimal("12.60"), amo=Decimal("7.56"), kind="act", **common))
            lines.append(SeanceLine(position=1, code="IFD", unit_value=Decimal("2.75"), amount=Decimal("2.75"),
                                    amo=Decimal("1.65"), kind="travel", **common))
        SeanceLine.objects.bulk_create(lines, batch_size=2000)
        contracts = list(repl.Contract.objects.filter(remplacant=rem).order_by("start_at"))
        repl.RetrocessionPayment.objects.bulk_create([
            repl.RetrocessionPayment(contract=c, month=c.start_at.date().replace(day=1),
                                     paid_on=dt.date(YEAR, min(12, i + 2), 5), amount=Decimal("800.00"))
            for i, c in enumerate(contracts)
        ])
        statement = repl.MonthlyStatement.objects.create(contract=contracts[MONTH - 1], month=dt.date(YEAR, MONTH, 1))
    return rem, statement


def _page(client, month: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(f"/remplacements/retrocession/?mois={YEAR}-{month:02d}")
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed, len(ctx.captured_queries)


def main() -> None:
    parser = bench_parser(__doc__, "cabinet_bench")
    parser.add_argument("--acts", type=int, default=600)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    start_django(args.database_url, MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-retro-"),
                 CELERY_BROKER_URL="", DJANGO_ALLOWED_HOSTS="testserver,localhost")
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    rem, statement = _setup(args.acts)

    from documents.services import prepare_document
    from documents.tasks import render_document
    from replacements import documents as docs
    from replacements.models import MonthlyStatement

    client = Client()
    client.force_login(rem)
    _page(client, MONTH)  # warm-up
    times = [_page(client, MONTH)[0] for _ in range(args.runs)]
    _, queries_600 = _page(client, MONTH)
    _, queries_60 = _page(client, 2)

    data_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        data = docs.statement_context(statement)
        data_times.append(time.perf_counter() - start)
    assert data["fees"] == Decimal("12.60") * args.acts

    # Warm-up render (fonts, templates) on another month, then the March statement.
    warm = MonthlyStatement.objects.create(contract=statement.contract, month=dt.date(YEAR, 4, 1))
    render_document.apply(args=[prepare_document(acting_user=rem, kind=docs.STATEMENT, obj=warm).pk])
    document = prepare_document(acting_user=rem, kind=docs.STATEMENT, obj=statement)
    start = time.perf_counter()
    outcome = render_document.apply(args=[document.pk]).get()
    pdf_seconds = time.perf_counter() - start
    assert outcome == "ready", outcome

    print(f"statement data (what the PDF freezes): {statistics.median(data_times) * 1000:.1f} ms median",
          file=sys.stderr)
    print(json.dumps({
        "acts": args.acts,
        "month_ms": round(statistics.median(times) * 1000, 1),
        "queries_60": queries_60,
        "queries_600": queries_600,
        "statement_pdf_s": round(pdf_seconds, 3),
    }))


if __name__ == "__main__":
    main()
