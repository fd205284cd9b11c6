"""The accountant's yearly summary (LED-3) through the documents pipeline:
the figures are read once, when it is requested, and frozen; a worker renders
the PDF — the request never waits for it."""

from __future__ import annotations

SUMMARY_KIND = "billing_synthese_annuelle"
TEMPLATE = "billing/ledger/pdf/summary.html"


def summary_context(summary) -> dict:
    from billing.models.payments import PayerKind

    from .selectors import yearly_summary

    months = yearly_summary(summary.nurse, summary.year)
    payers = [p.value for p in PayerKind]
    rows = [{"month": m, "by_payer": [by[p] for p in payers], "total": sum(by.values())}
            for m, by in months]
    totals = [sum(row["by_payer"][i] for row in rows) for i in range(len(payers))]
    nurse = summary.nurse
    return {
        "year": summary.year,
        "nurse": {"name": nurse.get_full_name() or nurse.username, "rpps": nurse.rpps},
        "payers": [PayerKind(p).label for p in payers],
        "rows": rows,
        "totals": totals,
        "total": sum(totals),
        "summary": summary.pk,
    }


def can_view_summary(user, summary) -> bool:
    from .selectors import billing_nurses_for, can_record_payments

    return can_record_payments(user) and billing_nurses_for(user).filter(
        pk=summary.nurse_id).exists()


def demo_summary():
    from billing.models.payments import AnnualSummary

    return AnnualSummary.objects.order_by("pk").first()
