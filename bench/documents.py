"""Benchmark of the document pipeline.

    python bench/documents.py [--letters 100] [--workers 2] [--renders 20]

1. One 2-page contract-like document (letterhead, articles, a table of
   amounts, signatures): worker time of the render (Django template →
   WeasyPrint → PDF), median and 90th percentile over `--renders` runs after a
   warm-up, wall-clock and CPU (the CPU figure does not depend on what else
   the machine runs; the load average is printed too). Target: under 0.5 s.
2. `--letters` patient letters as one batch, from the request (what the
   "generate the letters" button calls: `request_batch`) to the merged PDF
   ready, with `--workers` real Celery worker processes (concurrency 1 each)
   on Redis, then the same batch with eager tasks (no broker) for comparison.
   Target: under 30 s on 2 cores with 2 workers. The CPU time the workers
   used is printed too (`workers_cpu_s`): on a busy machine the wall-clock
   figure mostly measures the other processes.

It works in a throwaway PostgreSQL database (`--database-url`, default
`cabinet_bench` on 127.0.0.1, created if missing, migrated, core demo data)
and a temporary MEDIA_ROOT; the broker is `CELERY_BROKER_URL` (default
redis://127.0.0.1:6379/1) with a queue of its own. Each run uses fresh data
(a run number in the letters), so idempotence never short-cuts the work.
Prints one JSON line with the figures.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import bench_parser, start_django  # noqa: E402
from documents.registry import DocumentKind, register  # noqa: E402

CONTRACT = "bench_contrat"
LETTER = "bench_lettre_patient"
PATIENT_PREFIX = "bench-patient-"


def _contract_context(user) -> dict:
    articles = [
        ("Objet", "Le titulaire, indisponible pour congé annuel, confie au remplaçant, qui "
         "l'accepte, le soin de ses patients pendant la période définie à l'article 2."),
        ("Période", "Du lundi 6 juillet 2026 à 7 h 00 au dimanche 26 juillet 2026 à 20 h 00, "
         "soit 21 jours ; le titulaire s'abstient de toute activité pendant cette période."),
        ("Lieux d'exercice", "Au domicile des patients et au cabinet, 12 rue Nationale, "
         "37000 Tours ; le remplaçant utilise le local, le logiciel et le matériel du cabinet."),
        ("Rétrocession", "Le remplaçant perçoit les honoraires des actes qu'il réalise, "
         "facturés sous l'identité du titulaire, diminués d'une redevance de 10 % des "
         "honoraires de soins, hors indemnités de déplacement."),
        ("Paiement", "Le titulaire verse la rétrocession par virement, au plus tard le 10 du "
         "mois suivant, avec le relevé mensuel détaillé."),
        ("Non-concurrence", "Au-delà de trois mois de remplacement, consécutifs ou non, le "
         "remplaçant ne s'installe pas pendant deux ans dans un cabinet où il entrerait en "
         "concurrence directe avec le titulaire, sauf accord notifié au conseil de l'Ordre."),
        ("Résiliation", "Chaque partie peut mettre fin au contrat avec un préavis de 8 jours, "
         "par lettre recommandée ; la force majeure dispense du préavis."),
        ("Transmission", "Le contrat est communiqué par chacune des parties au conseil "
         "départemental de l'Ordre où elle est inscrite."),
    ]
    paragraphs = []
    for number, (title, text) in enumerate(articles * 2, start=1):
        paragraphs.append(f"Article {number} — {title} : {text}")
    rows = [[f"Semaine {w}", Decimal("1450.80") + w, Decimal("145.08") + w] for w in range(1, 13)]
    return {
        "recipient": {"name": user.get_full_name(), "lines": ["Remplaçante", "RPPS 10004567896"]},
        "subject": "Contrat de remplacement",
        "date": dt.date(2026, 6, 1),
        "greeting": "Entre les soussignés, il est convenu ce qui suit.",
        "paragraphs": paragraphs,
        "table": {"columns": ["Période", "Honoraires", "Redevance"], "amount_columns": [1, 2],
                  "rows": rows, "total": sum(r[2] for r in rows)},
        "closing": "Fait en trois exemplaires.",
        "signature": "Le titulaire — La remplaçante",
    }


def _letter_context(user) -> dict:
    return {
        "recipient": {"name": user.get_full_name(), "lines": ["8 rue des Lilas", "37000 Tours"]},
        "subject": "Remplacement de votre infirmière pendant ses congés",
        "date": dt.date(2026, 6, 15),
        "greeting": "Madame, Monsieur,",
        "paragraphs": [
            "Du 6 au 26 juillet 2026, Claire Martin sera en congé : Julie Petit, infirmière "
            "remplaçante, assurera vos soins aux horaires habituels.",
            "Vos soins seront facturés comme d'habitude ; vous n'avez aucune démarche à faire.",
            f"Référence de l'envoi : {user.last_name}.",
        ],
        "closing": "Nous vous prions d'agréer nos salutations dévouées.",
        "signature": "Claire Martin",
    }


def _always(user, obj) -> bool:
    return True


for _kind in (
    DocumentKind(code=CONTRACT, label="Contrat (banc d'essai)", model="core.User",
                 template="documents/pdf/generic_letter.html", version="1",
                 build_context=_contract_context, can_view=_always),
    DocumentKind(code=LETTER, label="Lettre patient (banc d'essai)", model="core.User",
                 template="documents/pdf/generic_letter.html", version="1",
                 build_context=_letter_context, can_view=_always),
):
    # Imported by the benchmark's workers too (celery --include), which must
    # know the kinds they render.
    register(_kind, replace=True)


def _patients(count: int, run: int):
    from core.models import Role, User

    users = []
    for i in range(count):
        user, _ = User.objects.get_or_create(
            username=f"{PATIENT_PREFIX}{i:03d}",
            defaults={"first_name": "Patient", "role": Role.SECRETAIRE, "is_active": False},
        )
        # A new surname per run: fresh data, so nothing is reused.
        user.last_name = f"Essai{i:03d}-{run}"
        user.save(update_fields=["last_name"])
        users.append(user)
    return users


def _batch_seconds(count: int, run: int, timeout: float) -> dict:
    from core.models import User
    from documents.models import DocumentBatch, Status
    from documents.services import request_batch

    patients = _patients(count, run)
    claire = User.objects.get(username="claire")
    start = time.perf_counter()
    wall_start = time.time()
    batch = request_batch(acting_user=claire, kind=LETTER, objects=patients, title=f"Banc {run}")
    returned = time.perf_counter() - start
    deadline = start + timeout
    while True:
        batch = DocumentBatch.objects.get(pk=batch.pk)
        if batch.status in (Status.READY, Status.FAILED) or time.perf_counter() > deadline:
            break
        time.sleep(0.05)
    total = time.perf_counter() - start
    last_pdf = max(
        d.rendered_at.timestamp() for d in batch.documents.all() if d.rendered_at
    ) - wall_start
    progress = batch.progress()
    return {
        "seconds": round(total, 2),
        "request_returned_after": round(returned, 2),
        "last_letter_ready_after": round(last_pdf, 2),
        "ready": progress["ready"],
        "failed": progress["failed"],
        "merged": batch.status == Status.READY,
    }


def _start_workers(n: int, env: dict, queue: str) -> list[subprocess.Popen]:
    from config.celery import app

    procs = []
    for i in range(n):
        name = f"{queue}-{i}@bench"
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
             "--pool=prefork", "--concurrency=1", "-Q", queue, "--include", "bench.documents",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", name],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        ))
    deadline = time.monotonic() + 60
    names = {f"{queue}-{i}@bench" for i in range(n)}
    while names and time.monotonic() < deadline:
        for reply in app.control.ping(list(names), timeout=0.5) or []:
            names -= set(reply)
    if names:
        _stop_workers(procs)
        raise SystemExit(f"workers did not start: {sorted(names)}")
    return procs


def _group_cpu_seconds(procs: list[subprocess.Popen]) -> float:
    """User + system CPU time of every process in the workers' process
    groups (main processes and their pool children), from /proc."""
    groups = {proc.pid for proc in procs}
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state ppid pgrp … utime(12) stime(13).
        if int(fields[2]) in groups:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = bench_parser(__doc__, "cabinet_bench")
    parser.add_argument("--letters", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/1"
    queue = f"bench-documents-{os.getpid()}"
    media = tempfile.mkdtemp(prefix="bench-documents-")
    start_django(args.database_url, CELERY_BROKER_URL=broker, MEDIA_ROOT=media,
                 CELERY_TASK_DEFAULT_QUEUE=queue)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core import demo as core_demo

    core_demo.seed()

    from pypdf import PdfReader

    from config.celery import app
    from core.models import User
    from documents.context import freeze
    from documents.pipeline import document_meta
    from documents.rendering import render_pdf
    from documents.services import letterhead, prepare_document
    from documents.tasks import render_document

    run = int(time.time())
    julie = User.objects.get(username="julie")
    frozen = freeze({"cabinet": letterhead(), "data": _contract_context(julie)})
    # The full task (claim, render, store) on a document never rendered: the
    # object's name changes with every run.
    fresh = _patients(1, run - 1)[0]
    document = prepare_document(acting_user=User.objects.get(username="claire"), kind=CONTRACT, obj=fresh)
    meta = document_meta(document)
    pdf = b""
    for _ in range(2):  # warm-up: fonts, template cache
        pdf = render_pdf("documents/pdf/generic_letter.html", frozen, meta)
    timings, cpu = [], []
    for _ in range(args.renders):
        start, start_cpu = time.perf_counter(), time.process_time()
        pdf = render_pdf("documents/pdf/generic_letter.html", frozen, meta)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    start = time.perf_counter()
    outcome = render_document.apply(args=[document.pk]).get()
    task_seconds = time.perf_counter() - start

    procs = _start_workers(args.workers, dict(os.environ), queue)
    try:
        app.conf.task_always_eager = False
        cpu_before = _group_cpu_seconds(procs)
        with_workers = _batch_seconds(args.letters, run, args.timeout)
        with_workers["workers_cpu_s"] = round(_group_cpu_seconds(procs) - cpu_before, 2)
    finally:
        _stop_workers(procs)
    app.conf.task_always_eager = True
    eager = _batch_seconds(args.letters, run + 1, args.timeout)

    print(json.dumps({
        "benchmark": "documents",
        "contract_pages": pages,
        "contract_render_median_s": round(statistics.median(timings), 3),
        "contract_render_p90_s": round(sorted(timings)[int(0.9 * (len(timings) - 1))], 3),
        "contract_render_cpu_median_s": round(statistics.median(cpu), 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "contract_task_s": round(task_seconds, 3),
        "contract_task_outcome": outcome,
        "letters": args.letters,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "batch_with_workers": with_workers,
        "batch_eager": eager,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
