"""Billing's home cards: the secretary's invoicing work (séances waiting to be
invoiced, pre-send audit findings, payments due), a nurse's done visits not
priced, and the administrator's tariff freshness. Fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse

from cabinet.models.visits import Visit, VisitStatus
from core.access import NURSES
from core.home import HomeCard, register_card
from core.models import Role

from .invoicing.audit_input import audit_latest
from .invoicing.selectors import (
    INVOICEABLE,
    invoiceable_seances_for,
    invoices_visible_to,
    seances_visible_to,
)
from .models import InvoiceStatus, SeanceStatus
from .models.payments import cents
from .ngap.tariffs import METROPOLE
from .ngap.tariffs import load as load_tariffs
from .payments.selectors import outstanding_aggregates, with_dues

# The audit shown on the home page covers the most recent séances waiting to
# be invoiced, so the page stays bounded whatever the backlog.
AUDIT_SAMPLE = 300
UNPRICED_WINDOW_DAYS = 31


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def invoicing_card(user, today: date) -> dict:
    """Three queries and the bounded audit, whatever the size of the cabinet:
    the séances (waiting, to check), the audit's sample, the invoices (drafts,
    rejected, and PAY-3's outstanding, the figures of « Impayés »)."""
    seances = seances_visible_to(user).aggregate(
        waiting=Count("pk", filter=INVOICEABLE),
        waiting_amount=Sum("total", filter=INVOICEABLE),
        to_check=Count("pk", filter=Q(status=SeanceStatus.ERROR)),
    )
    result, audited = audit_latest(invoiceable_seances_for(user), AUDIT_SAMPLE)
    invoices = with_dues(invoices_visible_to(user)).aggregate(
        drafts=Count("pk", filter=Q(status=InvoiceStatus.DRAFT)),
        rejected=Count("pk", filter=Q(status=InvoiceStatus.REJECTED)),
        **outstanding_aggregates(),
    )
    return {
        **seances,
        "audited": audited,
        "errors": len(result.errors),
        "warnings": len(result.warnings),
        "drafts": invoices["drafts"],
        "rejected": invoices["rejected"],
        "due": invoices["outstanding_count"],
        "due_amount": cents(invoices["outstanding_amount"]),
        "entry_url": _url("billing:entry"),
        "invoices_url": _url("billing:invoice_list"),
        "outstanding_url": _url("billing:outstanding_list"),
    }


def unpriced_card(user, today: date) -> dict | None:
    since = today - timedelta(days=UNPRICED_WINDOW_DAYS)
    visits = Visit.objects.filter(nurse=user, status=VisitStatus.DONE, date__gte=since,
                                  date__lte=today)
    counts = visits.aggregate(
        unpriced=Count("pk", filter=Q(seance__isnull=True)),
        errors=Count("pk", filter=Q(seance__status=SeanceStatus.ERROR)),
    )
    if not counts["unpriced"] and not counts["errors"]:
        return None
    return {**counts, "days": UNPRICED_WINDOW_DAYS, "url": reverse("cabinet:my_day")}


def tariffs_card(user, today: date) -> dict:
    table = load_tariffs()
    snapshot = table.at(METROPOLE, today)
    uncertain = sum(1 for v in snapshot.values.values() if v.status != "VERIFIED")
    return {
        "effective": snapshot.effective,
        "age_days": (today - snapshot.effective).days,
        "values": len(snapshot.values),
        "uncertain": uncertain,
        "url": reverse("billing:rules"),
        # Up to when the values are known to be right (tariffs.toml [verified]).
        "verified_until": table.verified_until,
        "stale": table.verified_until is not None and today > table.verified_until,
    }


def register() -> None:
    register_card(HomeCard("billing-invoicing", frozenset({Role.SECRETAIRE, Role.TITULAIRE}),
                           "billing/home/invoicing.html", invoicing_card, order=20))
    register_card(HomeCard("billing-unpriced", NURSES, "billing/home/unpriced.html",
                           unpriced_card, order=10))
    register_card(HomeCard("billing-tariffs", frozenset({Role.ADMIN}),
                           "billing/home/tariffs.html", tariffs_card, order=30))
