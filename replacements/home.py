"""The remplaçante's home card: her current contract (or the next one), the
contracts waiting for her signature, and the current month's rétrocession so
far, from the same statement « Ma rétrocession » shows (R-RETRO-1…4). A fixed
number of queries whatever the number of acts: her contracts, then the
statement's aggregates (`statements.statements_for`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from core.home import HomeCard, register_card
from core.models import Role

from . import selectors, statements
from .documents import month_label
from .models import Contract


def _contract(contract: Contract | None) -> dict | None:
    if contract is None:
        return None
    start, end = statements.contract_span(contract)
    return {"number": contract.number, "avenant": bool(contract.parent_id),
            "titulaire": contract.titulaire, "start": start, "end": end,
            "status": contract.get_status_display(),
            "url": reverse("replacements:contract_detail", args=[contract.pk])}


def contract_card(user, today: dt.date) -> dict:
    contracts = list(selectors.contracts_visible_to(user).order_by("start_at", "pk"))
    signed = [c for c in contracts if not c.is_draft]
    to_sign = [c for c in contracts if c.is_draft and c.signed_by_remplacant_at is None]
    current = selectors.current_contract(signed, today)
    start, end = statements.month_bounds(today.year, today.month)
    # The same computation as « Ma rétrocession » for this month (her
    # contracts already read: passed in, not read again).
    month = statements.statements_for(user.pk, start, end, contracts=signed)
    return {
        "current": _contract(current),
        "next": None if current else _contract(selectors.next_contract(signed, today)),
        "to_sign": len(to_sign),
        "to_sign_url": (reverse("replacements:contract_detail", args=[to_sign[0].pk])
                        if len(to_sign) == 1 else reverse("replacements:home")),
        "month_label": month_label(start),
        "retrocession": sum((st.totals.retrocession for st in month), Decimal("0.00")),
        "seances": sum(st.seances for st in month),
        "paid": sum((st.paid for st in month), Decimal("0.00")),
        "balance": sum((st.balance for st in month), Decimal("0.00")),
        "retrocession_url": reverse("replacements:my_retrocession"),
        "contracts_url": reverse("replacements:home"),
    }


def register() -> None:
    register_card(HomeCard("replacements-contract", frozenset({Role.REMPLACANT}),
                           "replacements/home/contract.html", contract_card, order=5))
