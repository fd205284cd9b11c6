"""Benchmark of the secretary's billing on PostgreSQL (issue 12).

    python bench/invoices.py [--invoices 200] [--entries 20]
                             [--database-url postgres://…/cabinet_bench_invoices]

A throwaway database (dropped and re-created at each run, then migrated)
gets four nurses, a secretary and `--invoices` patients, each with a
prescription (AMI 2 at home) covering a fixed week (1–5 June 2026). Then:

1. entries: `--entries` passages saved the way the act entry saves them
   (`billing.services.save_entry`: the séance stored and its day priced by
   the one pricing path, audit row included) — median server time of one
   entry and its SQL queries;
2. one séance per patient for the rest of the week, entered the same way,
   then invoiced (one draft per patient and billing nurse, FAC-1);
3. all the drafts validated at once with the pre-send audit
   (`validate_invoices`, what « Valider les brouillons cochés » calls): the
   time, and the SQL queries per invoice. The same validation is measured on
   a tenth of the invoices first, to show the queries grow by a constant per
   invoice.

Fixed data (seeded random generator, fixed week): the figures are
reproducible. Prints one JSON line
`{"entry_ms", "entry_queries", "invoices", "validate_s", "queries_per_invoice"}`
(plus details).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import bench_parser, start_django  # noqa: E402

MONDAY = date(2026, 6, 1)
NURSES = ("bench-anne", "bench-bruno", "bench-chloe", "bench-david")


def _people():
    from core.models import Role, User

    nurses = [User.objects.create(username=u, first_name=u.split("-")[1].title(),
                                  last_name="Bench", role=Role.TITULAIRE, rpps="10000000008")
              for u in NURSES]
    secretary = User.objects.create(username="bench-secretaire", first_name="Sec",
                                    last_name="Bench", role=Role.SECRETAIRE)
    return nurses, secretary


def _patients(count: int, rng: random.Random):
    from cabinet.models import Medecin, Patient, PrescribedAct, Prescription

    medecin = Medecin.objects.create(last_name="Prescrit", first_name="Paul",
                                     rpps="10000000008")
    patients = []
    for i in range(count):
        patient = Patient.objects.create(
            last_name=f"Patient{i:04d}", first_name="Bench",
            birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60)),
            sex=rng.choice("FM"), address=f"{i + 1} rue du Banc", postcode="37000",
            city="Tours", amo_regime="Régime général",
            amc_name="Mutuelle" if i % 3 == 0 else "", amc_tiers_payant=i % 3 == 0,
            c2s=i % 7 == 0)
        prescription = Prescription.objects.create(
            patient=patient, prescriber=medecin, date=MONDAY - timedelta(days=3),
            start_date=MONDAY - timedelta(days=1), duration_days=30, at_home=True)
        PrescribedAct.objects.create(prescription=prescription, key="AMI", coefficient=2,
                                     label="Pansement simple")
        patients.append((patient, prescription))
    return patients


def _entry(patient, prescription, nurse, day, slot):
    from billing.services import EntryData

    minutes = 8 * 60 + 30 * slot
    return EntryData(
        patient=patient, date=day, time=dtime(minutes // 60, minutes % 60), nurse=nurse,
        performed_by=nurse, prescription=prescription,
        acts=[{"catalogue_id": "", "key": "AMI", "coefficient": "2",
               "label": "Pansement simple", "ald_zone": ""}])


def main() -> None:
    parser = bench_parser(__doc__, "cabinet_bench_invoices")
    parser.add_argument("--invoices", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    args = parser.parse_args()
    os.environ.pop("CELERY_BROKER_URL", None)  # nothing here needs a worker
    start_django(args.database_url, fresh=True)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from billing.invoicing import services as invoicing
    from billing.models import Invoice, InvoiceStatus
    from billing.services import save_entry

    class Count:
        """SQL statements sent, whatever their number (no query log cap)."""

        def __init__(self):
            self.n = 0

        def __call__(self, execute, sql, params, many, context):
            self.n += 1
            return execute(sql, params, many, context)

        def __len__(self):
            return self.n

    def counting():
        counter = Count()
        return counter, connection.execute_wrapper(counter)

    class _Rollback(Exception):
        pass

    rng = random.Random(20260601)  # noqa: S311 - synthetic data
    nurses, secretary = _people()
    patients = _patients(args.invoices, rng)
    per_day = (len(patients) + 4) // 5  # séances of a day, all nurses

    def plan(i):
        day = MONDAY + timedelta(days=i // per_day)
        index = i % per_day
        return day, nurses[index % len(nurses)], index // len(nurses)

    # 1. the entry: one passage saved with its cotation, timed one by one.
    entry_ms, entry_queries = [], []
    seances = []
    for i, (patient, prescription) in enumerate(patients):
        day, nurse, slot = plan(i)
        data = _entry(patient, prescription, nurse, day, slot)
        if i < args.entries:
            queries, wrapper = counting()
            with wrapper:
                start = time.perf_counter()
                seance = save_entry(acting_user=secretary, data=data)
                entry_ms.append((time.perf_counter() - start) * 1000)
            entry_queries.append(len(queries))
        else:
            seance = save_entry(acting_user=secretary, data=data)
        seances.append(seance)
    assert all(s.status == "priced" for s in seances), "a bench séance could not be priced"

    # 2. the drafts: one per patient and billing nurse (FAC-1).
    drafts = invoicing.create_invoices(acting_user=secretary, seance_ids=[s.pk for s in seances])

    # 3. validation with the audit. A tenth first, rolled back (numbers given
    # back), to see how the queries grow; then all the drafts at once.
    tenth = max(1, len(drafts) // 10)
    small, wrapper = counting()
    try:
        with wrapper, transaction.atomic():
            invoicing.validate_invoices(acting_user=secretary, invoices=drafts[:tenth])
            raise _Rollback
    except _Rollback:
        pass
    large, wrapper = counting()
    with wrapper:
        start = time.perf_counter()
        report = invoicing.validate_invoices(acting_user=secretary, invoices=drafts)
        validate_s = time.perf_counter() - start
    validated = Invoice.objects.filter(status=InvoiceStatus.VALIDATED).count()
    growth = (len(large) - len(small)) / max(1, len(drafts) - tenth)
    print(json.dumps({
        "entry_ms": round(statistics.median(entry_ms), 1),
        "entry_queries": int(statistics.median(entry_queries)),
        "invoices": len(drafts),
        "validate_s": round(validate_s, 3),
        "queries_per_invoice": round(len(large) / len(drafts), 2),
        "validate_queries": len(large),
        "validate_queries_tenth": {"invoices": tenth, "queries": len(small)},
        "queries_per_extra_invoice": round(growth, 2),
        "validated": validated,
        "blocked": len(report.blocked),
    }))


if __name__ == "__main__":
    main()
