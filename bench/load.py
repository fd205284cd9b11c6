"""Load benchmark of the main pages, on the production path.

    python bench/load.py [--database-url URL] [--duration 4] [--users 10 50]
                         [--short] [--no-prepare] [--static-root DIR]

Loopback only. Builds what a deployment runs: the demo data in PostgreSQL
(`--database-url`, default `cabinet_bench_load` on 127.0.0.1, created if
missing, migrated and seeded), the static files collected by the Dockerfile's
own line, gunicorn with 2 workers and the production settings (debug off).
Logs in as each demo role through the login form, then measures each main
page, one after the other, with N concurrent users hammering it for
`--duration` seconds, against `/healthz` measured the same way as the floor
(the cheapest request that still reaches the database and renders a
template). Each virtual user is a thread; gunicorn's sync workers answer one
request per connection, as behind the production proxy.

Every figure is bounded in time: (pages + 1) × len(users) × duration, plus
the set-up. `--short` (CI) measures 1 s per page at 10 users only.

Prints a table, then one JSON line:
{"pages": {name: {"rps", "p50_ms", "p95_ms", "ratio"}}, "floor_rps", "errors",
 "min_ratio", "users", "at": {"50": {"pages": …, "floor_rps", "min_ratio"}}}
The top-level figures are those at the first `--users` level (10); `errors`
counts every non-200 answer or failed request of the whole run. The machine
may be shared: figures are indicative, ratios more stable than rates.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import prodserver  # noqa: E402
from bench.postgres import bench_parser  # noqa: E402

# name: (demo user, path, or a (listing path, detail-link regex) to pick the first detail)
PAGES = {
    "home": ("claire", "/"),
    "patients": ("nadia", "/cabinet/patients/"),
    "patient": ("claire", ("/cabinet/patients/", r"^/cabinet/patients/\d+/$")),
    "planning": ("nadia", "/cabinet/tournees/"),
    "tournee": ("claire", ("/cabinet/tournees/", r"^/cabinet/tournees/\d+/$")),
    "my_day": ("claire", "/cabinet/ma-journee/"),
    "my_day_remplacante": ("julie", "/cabinet/ma-journee/"),
    "worklist": ("nadia", "/cabinet/a-renouveler/"),
    "cotation": ("nadia", "/facturation/cotation/"),
    "act_entry": ("nadia", "/facturation/saisie/"),
    "cooperation": ("claire", "/cooperation/eligibles/"),
    "protocols_admin": ("admin", "/cooperation/"),
    "invoices": ("nadia", "/facturation/factures/"),
    "invoice": ("nadia", ("/facturation/factures/", r"^/facturation/factures/\d+/$")),
    "audit_worklist": ("nadia", "/facturation/a-verifier/"),
    "payments": ("nadia", "/facturation/paiements/"),
    "outstanding": ("nadia", "/facturation/impayes/"),
    "ledger": ("claire", ("/facturation/livre/", r"^/facturation/livre/\d+/\d+/\d+/$")),
    "retrocession": ("julie", "/remplacements/retrocession/"),
}
FLOOR = "/healthz"


def resolve_pages(pages: dict, browsers: dict[str, prodserver.Browser]) -> dict[str, tuple[str, str]]:
    """name → (user, concrete path); a detail page is the first one its list links to."""
    resolved = {}
    for name, (user, target) in pages.items():
        if isinstance(target, tuple):
            listing, pattern = target
            page = browsers[user].get_following(listing)
            links = [browsers[user].local_path(h) for h in prodserver.parse_page(page.text).links]
            detail = next((p for p in links if p and re.match(pattern, p.split("?")[0])), None)
            if detail is None:
                raise prodserver.ProductionPathError(f"{name}: no link matching {pattern} on {listing}")
            target = detail
        resolved[name] = (user, target)
    return resolved


def hammer(browser: prodserver.Browser, path: str, users: int, duration: float) -> dict:
    """`users` threads request `path` in a loop for `duration` seconds."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(users + 1)
    stop_at = [0.0]

    def run():
        mine, my_errors = [], 0
        start_gate.wait()
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at[0]:
                break
            try:
                ok = browser.get(path, timeout=30).status == 200
            except OSError:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t0)
            else:
                my_errors += 1
        with lock:
            latencies.extend(mine)
            errors[0] += my_errors

    threads = [threading.Thread(target=run, daemon=True) for _ in range(users)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + duration
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began  # includes the requests in flight at the deadline
    latencies.sort()
    n = len(latencies)
    return {
        "rps": round(n / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if n else None,
        "p95_ms": round(latencies[min(n - 1, int(n * 0.95))] * 1000, 1) if n else None,
        "errors": errors[0],
        "requests": n,
    }


def main(argv=None) -> int:
    parser = bench_parser(__doc__, "cabinet_bench_load")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per page and level")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--short", action="store_true", help="CI: 1 s per page at 10 users")
    parser.add_argument("--no-prepare", action="store_true",
                        help="the database is already migrated and seeded, the static files collected")
    parser.add_argument("--static-root", type=Path, help="collected static files (default: a temporary folder)")
    parser.add_argument("--pages", nargs="*", help="only these pages (default: all)")
    args = parser.parse_args(argv)
    if args.short:
        args.duration, args.users = 1.0, [10]
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    static_root = args.static_root or Path(tempfile.mkdtemp(prefix="cabinet-static-"))
    if not args.no_prepare:
        prodserver.prepare_database(args.database_url, log=log)
        prodserver.collect_static_like_the_image(static_root, log=log)

    env = prodserver.production_env(args.database_url, static_root)
    pages = {k: v for k, v in PAGES.items() if not args.pages or k in args.pages}
    results: dict[int, dict] = {}
    total_errors = 0
    with prodserver.Gunicorn(env, workers=args.workers) as server:
        browsers = {}
        for user in sorted({user for user, _ in pages.values()}):
            browsers[user] = prodserver.Browser(server.base)
            browsers[user].login(user)
            # Many threads share this session from now on: they send its cookie
            # and leave it as it is (the session key does not change).
            browsers[user].frozen = True
        targets = resolve_pages(pages, browsers)
        floor_browser = prodserver.Browser(server.base)
        # Warm-up and a correctness check: each page answers 200 once before it is timed.
        sizes = {}
        for name, (user, path) in targets.items():
            response = browsers[user].get(path)
            if response.status != 200:
                total_errors += 1
                log(f"{name}: {path} answered {response.status} before the measure\n{server.log_tail(20)}")
            sizes[name] = len(response.body)
        for users in args.users:
            floor = hammer(floor_browser, FLOOR, users, args.duration)
            total_errors += floor["errors"]
            level = {}
            for name, (user, path) in targets.items():
                figures = hammer(browsers[user], path, users, args.duration)
                total_errors += figures["errors"]
                figures["ratio"] = round(figures["rps"] / floor["rps"], 3) if floor["rps"] else 0.0
                level[name] = figures
            results[users] = {"floor": floor, "pages": level}

    first = args.users[0]
    log(f"\n{'page':<20} {'user':<7} {'KB':>6} " + " ".join(
        f"{f'{u}u rps':>8} {'p50':>7} {'p95':>7} {'ratio':>6} {'err':>4}" for u in args.users))
    rows = [("healthz (floor)", "-", None, {u: results[u]["floor"] | {"ratio": 1.0} for u in args.users})]
    rows += [(name, targets[name][0], sizes[name], {u: results[u]["pages"][name] for u in args.users})
             for name in targets]
    for name, user, size, per_level in rows:
        cells = " ".join(
            f"{f['rps']:>8} {f['p50_ms'] or '-':>7} {f['p95_ms'] or '-':>7} {f['ratio']:>6} {f['errors']:>4}"
            for f in per_level.values())
        log(f"{name:<20} {user:<7} {size / 1024 if size else 0:>6.1f} {cells}")

    def summary(users: int) -> dict:
        level = results[users]
        pages_out = {name: {k: f[k] for k in ("rps", "p50_ms", "p95_ms", "ratio")}
                     for name, f in level["pages"].items()}
        return {
            "pages": pages_out,
            "floor_rps": level["floor"]["rps"],
            "min_ratio": min((p["ratio"] for p in pages_out.values()), default=0.0),
        }

    out = summary(first)
    out = {"pages": out["pages"], "floor_rps": out["floor_rps"], "errors": total_errors,
           "min_ratio": out["min_ratio"], "users": first,
           "at": {str(u): summary(u) for u in args.users[1:]},
           "page_kb": {name: round(size / 1024, 1) for name, size in sizes.items()}}
    print(json.dumps(out, ensure_ascii=False))
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
