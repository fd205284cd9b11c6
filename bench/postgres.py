"""What the benchmarks that run on PostgreSQL share."""

from __future__ import annotations


def ensure_database(url: str) -> None:
    """Create the benchmark's database if the server does not have it yet."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
