"""Receivers of the cabinet signals (connected in BillingConfig.ready()):
a done visit becomes a priced séance, a reopened one is cancelled."""

from __future__ import annotations

from . import services
from .models import SeanceStatus
from .ngap.catalogue import format_coefficient


def cotation_of(seance) -> dict | None:
    """What the nurse is told once her visit is priced, in plain values the
    cabinet app can show without knowing billing: the lines' codes, the
    total, the pricing error, whether the séance was already invoiced."""
    if seance is None or seance.status == SeanceStatus.CANCELLED:
        return None
    codes = " + ".join(f"{line.code} {format_coefficient(line.coefficient)}".strip()
                       for line in seance.lines.order_by("position"))
    return {"total": seance.total, "cotation": codes, "error": seance.error,
            "invoiced": seance.is_invoiced}


def on_visit_completed(sender, visit, acting_user=None, **kwargs):
    return cotation_of(services.visit_completed(visit=visit, acting_user=acting_user))


def on_visit_reopened(sender, visit, acting_user=None, **kwargs):
    services.visit_reopened(visit=visit, acting_user=acting_user)
