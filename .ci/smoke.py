"""Production smoke check: the image's recipe, served as in production.

    python .ci/smoke.py [--database-url URL] [--keep-database] [--dockerfile PATH]

1. A PostgreSQL database of its own (default: `$DATABASE_URL` + `_smoke`),
   created afresh, migrated, with the demo data (seeded with debug on: the
   demo password is refused in production; served with debug off).
2. The static files collected by the Dockerfile's own `collectstatic` line.
3. gunicorn started with the Dockerfile's own command, bound to loopback,
   with the production settings (debug off, secret key, allowed hosts).
4. `/healthz` must answer 200; the login page and every stylesheet, script
   and image it uses must load; an unknown address gets the 404 page.
5. Logged in through the login form as each demo role, a crawl from the home
   page follows every link of the navigation and of the pages it reaches
   (lists, detail pages, edit forms), one address per URL shape: no page may
   answer a server error.

Exits 1 with what failed, and gunicorn's log, on the first 5xx or failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
import tempfile
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.prodserver import (  # noqa: E402
    DEMO_ROLES,
    Browser,
    Gunicorn,
    ProductionPathError,
    collect_static_like_the_image,
    parse_page,
    prepare_database,
    production_env,
)

MAX_PAGES_PER_ROLE = 200
# Never followed: leaving the session; the admin site's own bulk views.
SKIP = re.compile(r"^/(deconnexion/|static/|admin/.*(delete|history)/)")


def shape(path: str) -> str:
    """One address per URL shape: ids become #, query values are dropped."""
    base, _, query = path.partition("?")
    keys = sorted({part.split("=")[0] for part in query.split("&") if part})
    return re.sub(r"\d+", "#", base) + ("?" + "&".join(keys) if keys else "")


def dockerfile_gunicorn_args(dockerfile: Path) -> list[str]:
    """The image's CMD (exec form), checked to be gunicorn, minus its bind."""
    cmd = [line for line in dockerfile.read_text().splitlines() if line.startswith("CMD ")]
    if len(cmd) != 1:
        raise ProductionPathError("expected one CMD line in the Dockerfile")
    args = json.loads(cmd[0][4:])
    if args[:2] != ["gunicorn", "config.wsgi:application"]:
        raise ProductionPathError(f"the image does not start gunicorn on config.wsgi: {args}")
    out, skip = [], False
    for arg in args[2:]:
        if skip:
            skip = False
            continue
        if arg in ("--bind", "-b"):
            skip = True
            continue
        out.append(arg)
    return out


class Smoke:
    def __init__(self, server: Gunicorn):
        self.server = server
        self.failures: list[str] = []
        self.warnings: list[str] = []
        self.assets_checked: set[str] = set()

    def fail(self, message: str) -> None:
        print(f"  FAIL {message}", flush=True)
        self.failures.append(message)

    def check_assets(self, browser: Browser, html: str, where: str) -> None:
        for src in parse_page(html).assets:
            path = browser.local_path(src)
            if path is None or path in self.assets_checked:
                continue
            self.assets_checked.add(path)
            response = browser.get(path)
            if response.status != 200 or not response.body:
                self.fail(f"{path} (used by {where}) answered {response.status}")

    def anonymous(self) -> None:
        browser = Browser(self.server.base)
        health = browser.get("/healthz")
        print(f"/healthz → {health.status} {health.text}", flush=True)
        if health.status != 200:
            self.fail(f"/healthz answered {health.status}: {health.text}")
        login = browser.get_following("/")
        if login.status != 200 or "password" not in login.text:
            self.fail(f"login page answered {login.status}")
        else:
            self.check_assets(browser, login.text, "the login page")

    def crawl(self, username: str, role: str) -> None:
        browser = Browser(self.server.base)
        try:
            home = browser.login(username)
        except ProductionPathError as exc:
            self.fail(f"{username} ({role}): {exc}")
            return
        nav = [browser.local_path(h) for h in parse_page(home.text).links]
        seen_shapes: set[str] = set()
        queue = deque(["/", *[p for p in nav if p]])
        fetched = statuses_4xx = 0
        while queue and fetched < MAX_PAGES_PER_ROLE:
            path = queue.popleft()
            if SKIP.match(path) or shape(path) in seen_shapes:
                continue
            seen_shapes.add(shape(path))
            response = browser.get(path)
            fetched += 1
            if response.status >= 500:
                self.fail(f"{username} ({role}): {path} answered {response.status}")
                continue
            if response.status in (403, 404, 405):
                statuses_4xx += 1
                self.warnings.append(f"{username}: {path} answered {response.status}")
                continue
            if response.status in (301, 302, 303, 307, 308):
                location = browser.local_path(response.header("Location") or "")
                if location:
                    queue.appendleft(location)
                continue
            content_type = response.header("Content-Type") or ""
            if "text/html" in content_type:
                self.check_assets(browser, response.text, path)
                for href in parse_page(response.text).links:
                    target = browser.local_path(href)
                    if target and shape(target) not in seen_shapes:
                        queue.append(target)
        # Whatever the crawl, an unknown address is the 404 page, not a 500.
        missing = browser.get("/cette-page-n-existe-pas/")
        if missing.status != 404:
            self.fail(f"{username}: an unknown address answered {missing.status}, not 404")
        print(f"{username:<7} ({role}): {fetched} pages, {statuses_4xx} refused (4xx)"
              f"{' — crawl cut at the limit' if queue else ''}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_url = os.environ.get("SMOKE_DATABASE_URL") or (
        os.environ["DATABASE_URL"] + "_smoke"
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else "postgres://postgres@127.0.0.1:5432/cabinet_smoke"
    )
    parser.add_argument("--database-url", default=default_url)
    parser.add_argument("--keep-database", action="store_true",
                        help="reuse the database if it exists (faster; default: created afresh)")
    parser.add_argument("--dockerfile", type=Path, default=ROOT / "Dockerfile")
    parser.add_argument("--static-root", type=Path,
                        help="where to collect (default: a temporary folder); kept for bench/load.py")
    args = parser.parse_args(argv)

    if not args.keep_database:
        _drop_database(args.database_url)
    prepare_database(args.database_url)
    static_root = args.static_root or Path(tempfile.mkdtemp(prefix="cabinet-static-"))
    collect_static_like_the_image(static_root, dockerfile=args.dockerfile)
    if not (static_root / "staticfiles.json").is_file():
        print("  note: no staticfiles.json written: whitenoise's manifest is missing", flush=True)

    gunicorn_args = dockerfile_gunicorn_args(args.dockerfile)
    print(f"gunicorn as the image starts it: gunicorn config.wsgi:application {shlex.join(gunicorn_args)}"
          " --bind 127.0.0.1:<port>", flush=True)
    env = production_env(args.database_url, static_root)
    with Gunicorn(env, extra_args=gunicorn_args) as server:
        smoke = Smoke(server)
        smoke.anonymous()
        for username, role in DEMO_ROLES.items():
            smoke.crawl(username, role)
        log = server.log_tail(60)
    for warning in smoke.warnings:
        print(f"  note: {warning}")
    if smoke.failures:
        print(f"\nSMOKE FAILED: {len(smoke.failures)} problem(s); gunicorn's log:\n{log}", flush=True)
        return 1
    print(f"SMOKE OK: {len(smoke.assets_checked)} static files, every page of every role without a server error")
    return 0


def _drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ProductionPathError as exc:
        print(f"SMOKE FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
