"""Benchmark of the patient search on PostgreSQL.

    python bench/patient_search.py [--patients 5000] [--repeat 30]

Fills a throwaway PostgreSQL database (`--database-url`, default
`cabinet_bench_patients` on 127.0.0.1, created if missing and migrated) with
`--patients` synthetic patients (names with accents, birth dates, valid NIR),
then times what the patient list runs for typical queries (a name fragment, a
full name typed without accents, a birth date, part of a NIR): the first page
of results plus the count, median and 90th percentile over `--repeat` runs.
It also reads PostgreSQL's plan of each query to check that the trigram index
on the folded search text is used, not a scan of the whole table.
Prints one JSON line with the figures.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import bench_parser, start_django  # noqa: E402

LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David",
        "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
        "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Légaré", "Hélias",
        "Noël", "Gaëlle", "Chêne", "Cœur", "Périer", "Bérénger", "Castaño", "Émond"]
FIRST = ["Jean", "Marie", "Hélène", "Pierre", "Françoise", "Michel", "Cécile", "André",
         "Jérôme", "Thérèse", "Louis", "Zoé", "Noé", "Gisèle", "René", "Agnès", "Léon",
         "Maëlle", "Raphaël", "Anaïs"]
STREETS = ["rue Nationale", "rue Colbert", "boulevard Béranger", "avenue de Grammont",
           "rue Michelet", "rue de la Fuye", "quai Paul Bert", "rue Groison"]


def _fill(count: int) -> None:
    from stdnum.fr import nir as stdnum_nir

    from cabinet.models import Patient
    from cabinet.search import search_text

    existing = Patient.objects.filter(admin_notes="bench").count()
    if existing >= count:
        return
    rng = random.Random(20261123)  # noqa: S311 - synthetic data
    rows = []
    for i in range(existing, count):
        last, first = rng.choice(LAST), rng.choice(FIRST)
        sex = "F" if first in {"Marie", "Hélène", "Françoise", "Cécile", "Thérèse", "Zoé",
                                "Gisèle", "Agnès", "Maëlle", "Anaïs"} else "M"
        born = date(1925, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
        body = f"{1 if sex == 'M' else 2}{born.year % 100:02d}{born.month:02d}37261{i % 1000:03d}"
        nir = body + stdnum_nir.calc_check_digits(body)
        rows.append(Patient(
            last_name=f"{last}{'' if i < len(LAST) else '-' + str(i)}"
            if rng.random() < 0.5 else last,
            first_name=first, birth_date=born, sex=sex, nir=nir,
            address=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}", postcode="37000",
            city="Tours", admin_notes="bench",
        ))
        p = rows[-1]
        p.search_text = search_text(last_name=p.last_name, first_name=p.first_name,
                                    birth_name="", birth_date=born, nir=nir)
    Patient.objects.bulk_create(rows, batch_size=1000)


def _plan(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = bench_parser(__doc__, "cabinet_bench_patients")
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    start_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from cabinet.models import Patient
    from cabinet.selectors.patients import search_patients

    call_command("migrate", verbosity=0)
    _fill(args.patients)
    with connection.cursor() as cursor:
        # What autovacuum does after a bulk load: flush the GIN pending list.
        cursor.execute("VACUUM ANALYZE cabinet_patient")
    total = Patient.objects.count()

    sample = Patient.objects.filter(admin_notes="bench").order_by("pk")[total // 2]
    queries = {
        "name fragment": "lefe",
        "full name without accents": "helene lefevre",
        "birth date": sample.birth_date.strftime("%d/%m/%Y"),
        "part of a NIR": sample.nir[3:11],
    }
    results = {}
    for label, query in queries.items():
        qs = search_patients(Patient.objects.all(), query)
        page = qs.only("pk", "last_name", "first_name", "birth_date")[:25]
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            list(page)
            found = qs.count()
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        sql, params = page.query.sql_with_params()
        plan = _plan(sql, params)
        results[label] = {
            "query": query, "matches": found,
            "median_ms": round(statistics.median(timings), 2),
            "p90_ms": round(timings[int(len(timings) * 0.9) - 1], 2),
            "uses_trigram_index": "cabinet_patient_search_trgm" in plan,
            "seq_scan": "Seq Scan on cabinet_patient" in plan,
        }
    print(json.dumps({"patients": total, "vendor": connection.vendor, "results": results},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
