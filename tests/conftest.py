"""Shared test fixtures.

The demo data (`seed_demo`) is loaded once per test database; ordinary
database tests run inside a transaction rolled back after each test, so every
test sees the same demo cabinet. Tests that need committed data
(`transactional_db`, a live server, a real Celery worker) use
`transactional_demo`, which seeds again since such tests flush the tables.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client

from core.models import User

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    # Hashing demo passwords with PBKDF2 would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Persistent connections of the live server's thread would outlive the
    # tests and keep the test database busy at teardown.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        allow_truncate_in_test_database()
        call_command("seed_demo", quiet=True)


def allow_truncate_in_test_database() -> None:
    """The audit trail, invoiced séances and ready documents refuse TRUNCATE
    on PostgreSQL (S-TRACE-3, S-DATA-1) unless the database sets
    `cabinet.allow_truncate`; the test runner empties tables with TRUNCATE
    between transactional tests, so the test database (only) sets it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {name} SET cabinet.allow_truncate = 'on'")
    connection.close()  # the setting applies to new connections


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started once the test database exists.

    Its threads hold database connections until it stops; depending on the
    database set-up makes pytest stop it before dropping the test database.
    """
    return live_server


@pytest.fixture
def eager():
    """Celery tasks run inline, whatever the broker setting (as with no broker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded and generated files go to a per-test folder; figures are
    computed at every page (tests change data through the ORM, without the
    audit rows that renew them; tests/core/test_figures_cache.py checks the
    cache itself)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIGURES_CACHE_SECONDS = 0


@dataclass
class Personas:
    """The demo users, one per role (and the other titulaires for ownership)."""

    claire: User  # titulaire
    marc: User  # titulaire
    sophie: User  # titulaire
    julie: User  # remplaçante
    nadia: User  # secrétaire
    admin: User  # administrateur

    def client(self, name: str | None) -> Client:
        client = Client()
        if name:
            client.force_login(getattr(self, name))
        return client


PERSONA_NAMES = ("claire", "marc", "sophie", "julie", "nadia", "admin")


def _load_personas() -> Personas:
    users = {u.username: u for u in User.objects.filter(username__in=PERSONA_NAMES)}
    return Personas(**{name: users[name] for name in PERSONA_NAMES})


@pytest.fixture
def personas(db) -> Personas:
    return _load_personas()


@pytest.fixture
def transactional_demo(transactional_db) -> Personas:
    call_command("seed_demo", quiet=True)
    return _load_personas()


def _broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def celery_worker_factory(transactional_demo, settings):
    """Starts real Celery worker processes on the configured broker, talking
    to the test database, all consuming one queue of their own: call it to
    start a worker (`settings_module` to load test-only apps, `extra_env`),
    kill one, start another. Skipped without a broker, except in CI where it
    must run."""
    broker = _broker_url()
    if not broker:
        if IN_CI:
            pytest.fail("CI must run the real Celery worker tests: CELERY_BROKER_URL is not set.")
        pytest.skip("needs CELERY_BROKER_URL (a real broker)")
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] in ("", ":memory:") or "mode=memory" in str(
        db["NAME"]
    ):
        pytest.skip("a worker process cannot share an in-memory SQLite database")
    env = dict(os.environ)
    if db["ENGINE"].endswith("postgresql"):
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        user = db.get("USER") or "postgres"
        pw = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = f"postgres://{user}{pw}@{host}:{port}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["CELERY_BROKER_URL"] = broker
    env.setdefault("DJANGO_DEBUG", "true")
    # A queue of its own per test run, so a stray worker never takes our tasks.
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from config.celery import app

    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    procs: list[subprocess.Popen] = []

    def start(*, settings_module: str | None = None, extra_env: dict | None = None):
        worker_env = {**env, **(extra_env or {})}
        if settings_module:
            worker_env["DJANGO_SETTINGS_MODULE"] = settings_module
        name = f"{queue}-{len(procs)}@cabinet-test"
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--loglevel=WARNING", "--pool=prefork", "--concurrency=1", "-Q", queue,
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", name,
            ],
            cwd=BASE_DIR, env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = app.control.ping([name], timeout=0.5) or []
            if replies:
                return proc
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"the Celery worker exited at start:\n{out}")
        pytest.fail("the Celery worker did not answer within 30 s")

    try:
        yield start
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        for proc in procs:
            if proc.poll() is not None:
                continue
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def celery_worker_process(celery_worker_factory):
    """One real Celery worker process (see `celery_worker_factory`)."""
    return celery_worker_factory()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser():
    """Headless Chromium through Playwright, on the system's browser (no download)."""
    path = chromium_path()
    if not path:
        if IN_CI:
            pytest.fail("CI must run the browser tests: chromium is not installed")
        pytest.skip("needs chromium (apt-get install chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    from playwright.sync_api import Page, sync_playwright

    from tests.e2e import PageAudit

    # Every page a test lands on is audited (width, axe-core): after goto and
    # wait_for_url, before close, and the pages left open at the end.
    audit = PageAudit()
    originals = {name: getattr(Page, name) for name in ("goto", "wait_for_url", "close")}

    def goto(self, *args, **kwargs):
        response = originals["goto"](self, *args, **kwargs)
        audit.check(self)
        return response

    def wait_for_url(self, *args, **kwargs):
        originals["wait_for_url"](self, *args, **kwargs)
        audit.check(self)

    def close(self, *args, **kwargs):
        audit.check(self)
        return originals["close"](self, *args, **kwargs)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        )
        Page.goto, Page.wait_for_url, Page.close = goto, wait_for_url, close
        failed = False
        try:
            yield browser
            for context in browser.contexts:
                for page in context.pages:
                    audit.check(page)
        except BaseException:
            failed = True
            raise
        finally:
            for name, method in originals.items():
                setattr(Page, name, method)
            # While Playwright's event loop runs, Django keeps this thread's
            # database connections in a context of their own, which the test
            # database teardown cannot see: close them here.
            connections.close_all()
            browser.close()
        if not failed:
            assert not audit.problems, "pages that fail the audit:\n" + "\n".join(audit.problems)
