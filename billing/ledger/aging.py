"""PAY-3: the outstanding amounts aged in three bands from the invoice's date."""

from __future__ import annotations

from datetime import date

# (key, label, first day, last day); the last band has no upper bound.
BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("0_30", "0 – 30 jours", 0, 30),
    ("31_60", "31 – 60 jours", 31, 60),
    ("over_60", "plus de 60 jours", 61, None),
)


def age_in_days(issued_on: date, today: date) -> int:
    """Days since the invoice was issued; an invoice dated after `today`
    (clock skew, a date typed ahead) counts as new, never negative."""
    return max((today - issued_on).days, 0)


def band_for(issued_on: date, today: date) -> str:
    """The PAY-3 band key of an invoice issued on `issued_on`, seen on `today`."""
    days = age_in_days(issued_on, today)
    for key, _label, low, high in BANDS:
        if days >= low and (high is None or days <= high):
            return key
    raise AssertionError("bands cover every non-negative age")  # pragma: no cover


def band_label(key: str) -> str:
    return {k: label for k, label, _low, _high in BANDS}[key]
