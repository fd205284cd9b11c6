"""What the benchmarks that run on PostgreSQL share."""

from __future__ import annotations

import argparse
import os


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the benchmark's database if the server does not have it yet
    (`fresh`: drop it first, so that the run starts from nothing)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_django(database_url: str, *, fresh: bool = False, **environ: str) -> None:
    """Point Django at the benchmark's own database (see `ensure_database`),
    with the settings `environ` adds, and set it up."""
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings",
                       "LOG_LEVEL": "WARNING", **environ})
    ensure_database(database_url, fresh=fresh)
    import django

    django.setup()


def bench_parser(doc: str, database: str) -> argparse.ArgumentParser:
    """The command line of a PostgreSQL benchmark: its docstring's first paragraph as the
    description and `--database-url`, by default its own database `database` on the local
    server (each benchmark keeps to its own, so that two of them never share rows)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"postgres://postgres@127.0.0.1:5432/{database}")
    return parser
