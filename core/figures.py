"""Figures computed from the books, kept until the next write.

Every write goes through a service that records its audit row in the same
transaction (house rule), so the id of the latest audit row that is not a
read changes with any change: a séance priced, a visit done, a payment
recorded, a contract signed, a login. Figures stored under that id are served
again only while nothing was written since; the next page after a write
computes them anew. Reads (`view` rows, most of a working day's rows) leave
the figures as they are.
`FIGURES_CACHE_SECONDS` bounds what no write marks: figures that move with
the clock, and a transaction that commits after a later one's audit row was
seen. 0 computes them at every page (the tests do, except those of the cache).

The cache is the process's memory (LocMemCache): health figures never leave
the worker that computed them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")


def latest_write() -> int | None:
    from .models import AuditEvent

    # Served by the partial index audit_writes_idx.
    return (AuditEvent.objects.exclude(action="view").order_by("-pk")
            .values_list("pk", flat=True).first())


def until_next_write(name: str, *key: object, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave for the same `name` and `key` when
    nothing has been written since. The key names everything the figures
    depend on besides the data (the viewer, the period, the filters)."""
    seconds = settings.FIGURES_CACHE_SECONDS
    if not seconds:
        return compute()
    # Read before the figures: a write committed in between makes the
    # stored figures newer than their key, never older.
    stamp = latest_write()
    # Hashed: the parts may come from a query string (any character, any length).
    parts = "\x1f".join([name, *(str(part) for part in key), str(stamp)])
    cache_key = "figures:" + hashlib.sha256(parts.encode()).hexdigest()
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, seconds)
    return found
