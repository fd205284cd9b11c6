"""Grow the demo data for the « pages stay flat » tests: a page's query count
must be the same at 1× and 10× the demo data.

Copies go through `bulk_create` (no save() hooks, no audit rows): they are
rows as a bigger cabinet would have them, not actions of a user.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from django.db import models


def clone(row: models.Model, **changes) -> models.Model:
    """An unsaved copy of `row` with `changes`; it knows its original as `copy_of`."""
    new = copy.copy(row)
    new.pk = None
    new._state = models.base.ModelState()
    new.copy_of = row.pk
    for field, value in changes.items():
        setattr(new, field, value)
    return new


def copies(rows: models.QuerySet | Iterable[models.Model], times: int = 1,
           **changes: object | Callable) -> list[models.Model]:
    """`times` copies of every row (saved, with new ids). `changes`: field
    values for the copies; a callable gets (original, n) with n in 1…times.
    Each copy knows its original's id as `copy_of`."""
    originals = list(rows)
    if not originals:
        return []
    new = []
    for n in range(1, times + 1):
        for original in originals:
            new.append(clone(original, **{
                field: value(original, n) if callable(value) else value
                for field, value in changes.items()
            }))
    return type(originals[0]).objects.bulk_create(new)
