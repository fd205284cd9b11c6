"""Payments, rejects, outstanding amounts, the ledger and the accountant's
exports (PAY-1…3, LED-1…3).

Who sees what (`billing.payments.selectors`): the secrétaire every billing
nurse, a titulaire her own, a remplaçant(e) only the acts she performed, the
administrator nothing. Every view looks its object up first
(`_get_<object>_for_user`): foreign → 404, read-only → 403.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.access import OFFICE, STAFF, roles
from core.figures import until_next_write
from core.models import Role

from .forms_payments import (
    AllocationFormSet,
    CancelPaymentForm,
    PaymentForm,
    RejectForm,
    StatementForm,
)
from .invoicing import selectors as invoice_selectors
from .ledger import aging, charts
from .ledger.charts import Group
from .models import Invoice, InvoiceLine
from .models.payments import AnnualSummary, PayerKind, Payment
from .payments import selectors, services
from .payments.services import AllocationRequest, PaymentError
from .views_invoices import _get_invoice_for_user  # one look-up per object type

PAGE_SIZE = 50
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")


# ---------------------------------------------------------------- look-ups


def _get_nurse_for_user(user, nurse_id: int):
    nurse = selectors.billing_nurses_for(user).filter(pk=nurse_id).first()
    if nurse is None:
        raise Http404("Livre introuvable.")
    return nurse


def _get_payment_for_user(user, pk: int, *, write: bool = False) -> Payment:
    payment = (selectors.payments_visible_to(user).select_related("nurse", "created_by",
                                                                  "cancelled_by")
               .filter(pk=pk).first())
    if payment is None:
        raise Http404("Paiement introuvable.")
    if write and not selectors.can_record_payments(user):
        raise PermissionDenied
    return payment


def _period(year: int, month: int | None = None) -> selectors.Period:
    if not 2000 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        raise Http404("Période invraisemblable.")
    return selectors.month(year, month) if month else selectors.year(year)


def _period_from_slug(slug: str) -> selectors.Period:
    try:
        if len(slug) == 4:
            return _period(int(slug))
        year_text, month_text = slug.split("-")
        return _period(int(year_text), int(month_text))
    except ValueError:
        raise Http404("Période invraisemblable.") from None


def _nurses(user):
    return selectors.billing_nurses_for(user).filter(role=Role.TITULAIRE)


# ---------------------------------------------------------------- payments (PAY-1)


@roles(*OFFICE)
def payment_list(request: HttpRequest) -> HttpResponse:
    payments = (selectors.payments_visible_to(request.user).select_related("nurse")
                .order_by("-received_on", "-pk"))
    nurse_id = request.GET.get("infirmier", "")
    if nurse_id.isdigit() and len(nurse_id) < 12:
        payments = payments.filter(nurse_id=int(nurse_id))
    payer = request.GET.get("payeur", "")
    if payer in PayerKind.values:
        payments = payments.filter(payer_kind=payer)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/ledger/payment_list.html", {
        "page": page, "nurses": _nurses(request.user), "nurse_id": nurse_id, "payer": payer,
        "payers": PayerKind.choices})


def _allocation_requests(user, nurse, formset) -> list[AllocationRequest] | None:
    numbers = {form.cleaned_data["number"] for form in formset.forms
               if form.cleaned_data.get("number")}
    found = {inv.number: inv.pk for inv in invoice_selectors.invoices_visible_to(user)
             .filter(nurse=nurse, number__in=numbers)}
    requests = []
    ok = True
    for form in formset.forms:
        number = form.cleaned_data.get("number")
        if not number:
            continue
        if number not in found:
            form.add_error("number", f"Aucune facture n° {number} de cet(te) infirmier(ère).")
            ok = False
            continue
        requests.append(AllocationRequest(found[number], form.cleaned_data["amount"]))
    return requests if ok else None


@roles(*OFFICE)
def payment_new(request: HttpRequest) -> HttpResponse:
    nurses = _nurses(request.user)
    initial_rows = []
    if request.method == "GET" and request.GET.get("facture", "").isdigit():
        invoice = (invoice_selectors.invoices_editable_by(request.user)
                   .filter(pk=int(request.GET["facture"][:18])).first())
        if invoice is not None and invoice.number:
            initial_rows = [{"number": invoice.number}]
    form = PaymentForm(request.POST or None, nurses=nurses,
                       initial={"received_on": timezone.localdate()})
    formset = AllocationFormSet(request.POST or None, prefix="aff", initial=initial_rows)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        requests = _allocation_requests(request.user, data["nurse"], formset)
        if requests is not None:
            try:
                payment = services.record_payment(
                    acting_user=request.user, nurse=data["nurse"],
                    payer_kind=data["payer_kind"], payer_name=data["payer_name"],
                    received_on=data["received_on"], means=data["means"],
                    reference=data["reference"], amount=data["amount"], allocations=requests)
            except PaymentError as exc:
                _attach_payment_error(exc, form, formset)
            else:
                messages.success(request, f"Paiement de {payment.amount} € enregistré.")
                return redirect("billing:payment_detail", payment.pk)
    return render(request, "billing/ledger/payment_new.html", {"form": form, "formset": formset})


def _attach_payment_error(exc: PaymentError, form, formset) -> None:
    if exc.errors:
        by_id = exc.errors
        numbers = {inv.pk: inv.number for inv in Invoice.objects.filter(pk__in=list(by_id))}
        for row in formset.forms:
            number = row.cleaned_data.get("number")
            for invoice_id, message in by_id.items():
                if numbers.get(invoice_id) == number:
                    row.add_error("amount", message)
        form.add_error(None, exc.message)
    else:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@roles(*OFFICE)
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _get_payment_for_user(request.user, pk)
    allocations = payment.allocations.select_related("invoice", "invoice__patient")
    return render(request, "billing/ledger/payment_detail.html", {
        "payment": payment, "allocations": allocations,
        "cancel_form": CancelPaymentForm(), "can_edit": selectors.can_record_payments(request.user)})


@require_POST
@roles(*OFFICE)
def payment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    payment = _get_payment_for_user(request.user, pk, write=True)
    form = CancelPaymentForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_payment(acting_user=request.user, payment=payment,
                                    reason=form.cleaned_data["reason"])
        except PaymentError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Paiement annulé : il reste au livre, barré.")
            return redirect("billing:payment_detail", payment.pk)
    allocations = payment.allocations.select_related("invoice", "invoice__patient")
    return render(request, "billing/ledger/payment_detail.html", {
        "payment": payment, "allocations": allocations, "cancel_form": form,
        "can_edit": True}, status=400)


@roles(*OFFICE)
def statement_import(request: HttpRequest) -> HttpResponse:
    """PAY-1 bulk entry: check the caisse's statement, then save it."""
    nurses = _nurses(request.user)
    form = StatementForm(request.POST or None, request.FILES or None, nurses=nurses,
                         initial={"received_on": timezone.localdate(),
                                  "payer_kind": PayerKind.AMO, "means": "virement"})
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.preview_statement(nurse=data["nurse"],
                                                payer_kind=data["payer_kind"], text=data["text"])
        except services.statement.StatementError as exc:
            form.add_error("text", str(exc))
        else:
            if request.POST.get("confirmer") and result.can_save:
                try:
                    payment = services.record_statement(
                        acting_user=request.user, nurse=data["nurse"],
                        payer_kind=data["payer_kind"], payer_name=data["payer_name"],
                        received_on=data["received_on"], means=data["means"],
                        reference=data["reference"], text=data["text"])
                except PaymentError as exc:
                    form.add_error("text", exc.message)
                else:
                    messages.success(request, f"Relevé enregistré : {payment.amount} € affectés "
                                              f"à {payment.allocations.count()} facture(s).")
                    return redirect("billing:payment_detail", payment.pk)
    return render(request, "billing/ledger/statement.html", {
        "form": form, "result": result,
        "text": form.cleaned_data.get("text", "") if form.is_bound and hasattr(
            form, "cleaned_data") else ""})


# ---------------------------------------------------------------- rejects (PAY-2)


@roles(*STAFF)
def reject_new(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, write=True)
    form = RejectForm(request.POST or None, initial={"rejected_on": timezone.localdate(),
                                                     "payer_kind": PayerKind.AMO})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_reject(acting_user=request.user, invoice=invoice,
                                   **form.cleaned_data)
        except PaymentError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Rejet enregistré. Corrigez par un avoir puis une nouvelle "
                                      "facture.")
            return redirect("billing:invoice_detail", invoice.pk)
    return render(request, "billing/ledger/reject_new.html", {"invoice": invoice, "form": form})


# ---------------------------------------------------------------- outstanding (PAY-3)


@roles(*OFFICE)
def outstanding(request: HttpRequest) -> HttpResponse:
    summary = selectors.outstanding_summary(request.user)
    return render(request, "billing/ledger/outstanding.html", {
        "summary": summary, "bands": aging.BANDS})


@roles(*OFFICE)
def outstanding_list(request: HttpRequest) -> HttpResponse:
    payer = request.GET.get("payeur", "")
    band = request.GET.get("tranche", "")
    nurse_id = request.GET.get("infirmier", "")
    items = [
        (invoice, p, due, b) for invoice, p, due, b in selectors.outstanding_items(request.user)
        if (not payer or p == payer) and (not band or b == band)
        and (not nurse_id or str(invoice.nurse_id) == nurse_id)
    ]
    total = sum((due for _i, _p, due, _b in items), Decimal("0.00"))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(PayerKind.choices)
    return render(request, "billing/ledger/outstanding_list.html", {
        "page": page, "total": total, "payer_label": labels.get(payer, ""),
        "band_label": aging.band_label(band) if band in {k for k, *_ in aging.BANDS} else "",
        "payer_labels": labels, "band_labels": {k: label for k, label, *_ in aging.BANDS}})


# ---------------------------------------------------------------- the ledger (LED-1, LED-2)


@roles(*STAFF)
def ledger_home(request: HttpRequest) -> HttpResponse:
    """The current month of one's own ledger (the secrétaire: the first
    titulaire's, with links to the others), at a stable address."""
    nurse = _nurses(request.user).first() if request.user.role == Role.SECRETAIRE else request.user
    today = timezone.localdate()
    if nurse is None:
        raise Http404("Aucun livre.")
    return _render_ledger(request, nurse, _period(today.year, today.month))


def _charts(ledger: selectors.Ledger) -> dict:
    out = {}
    if ledger.period.kind == "month":
        groups = [Group(str(day.day), (billed, received), title=f"{day:%d/%m/%Y}")
                  for day, billed, received in ledger.series]
        out["series"] = charts.bar_chart(groups, series=("Facturé", "Encaissé"),
                                         title=f"Par jour — {ledger.period.label}", label_every=5)
    else:
        groups = [Group(MONTHS[m.month - 1], (billed, received), title=f"{m:%m/%Y}")
                  for m, billed, received in ledger.series]
        out["series"] = charts.bar_chart(groups, series=("Facturé", "Encaissé"),
                                         title=f"Par mois — {ledger.period.label}",
                                         label_every=2)
    out["per_key"] = charts.bar_chart(
        [Group(row["key"], (row["billed"], row["received"])) for row in ledger.by_key],
        series=("Facturé", "Encaissé"), title=f"Par lettre clé — {ledger.period.label}")
    out["per_month"] = charts.bar_chart(
        [Group(MONTHS[m.month - 1], (billed, received), title=f"{m:%m/%Y}")
         for m, billed, received in ledger.per_month],
        series=("Facturé", "Encaissé"), title="Les douze derniers mois", label_every=2)
    return out


def _render_ledger(request, nurse, period):
    if request.user.role == Role.REMPLACANT:
        lines = (selectors.performed_lines(request.user, period)
                 .select_related("invoice", "invoice__nurse"))
        page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "billing/ledger/performed.html", {
            "period": period, "page": page,
            "totals": selectors.performed_totals(request.user, period),
            "nav": _period_nav(nurse, period)})
    today = timezone.localdate()
    ledger = until_next_write("ledger", request.user.pk, nurse.pk, period.slug, today.isoformat(),
                              compute=lambda: selectors.ledger(nurse, period, today=today))
    receipts = Paginator(selectors.receipts(nurse, period), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "billing/ledger/ledger.html", {
        "ledger": ledger, "receipts": receipts, "charts": _charts(ledger),
        "nurses": _nurses(request.user) if request.user.role == Role.SECRETAIRE else None,
        "nav": _period_nav(nurse, period), "can_edit": selectors.can_record_payments(request.user),
    })


def _period_nav(nurse, period: selectors.Period) -> dict:
    if period.kind == "year":
        y = period.start.year
        return {"previous": reverse("billing:ledger_year", args=[nurse.pk, y - 1]) if y > 2000
                else None,
                "next": reverse("billing:ledger_year", args=[nurse.pk, y + 1]) if y < 2100
                else None,
                "other": reverse("billing:ledger_month", args=[nurse.pk, y, 1]),
                "other_label": "Voir les mois", "nurse": nurse, "slug": period.slug}
    y, m = period.start.year, period.start.month
    prev_y, prev_m = (y - 1, 12) if m == 1 else (y, m - 1)
    next_y, next_m = (y + 1, 1) if m == 12 else (y, m + 1)
    return {"previous": reverse("billing:ledger_month", args=[nurse.pk, prev_y, prev_m])
            if prev_y >= 2000 else None,
            "next": reverse("billing:ledger_month", args=[nurse.pk, next_y, next_m])
            if next_y <= 2100 else None,
            "other": reverse("billing:ledger_year", args=[nurse.pk, y]),
            "other_label": f"Année {y}", "nurse": nurse, "slug": period.slug}


@roles(*STAFF)
def ledger_month(request: HttpRequest, nurse_id: int, year: int, month: int) -> HttpResponse:
    nurse = _get_nurse_for_user(request.user, nurse_id)
    return _render_ledger(request, nurse, _period(year, month))


@roles(*STAFF)
def ledger_year(request: HttpRequest, nurse_id: int, year: int) -> HttpResponse:
    nurse = _get_nurse_for_user(request.user, nurse_id)
    return _render_ledger(request, nurse, _period(year))


# ---------------------------------------------------------------- exports (LED-3)


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; "
                            "charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


@roles(*STAFF)
def ledger_export(request: HttpRequest, nurse_id: int, period: str, what: str) -> HttpResponse:
    nurse = _get_nurse_for_user(request.user, nurse_id)
    span = _period_from_slug(period)
    name = f"{nurse.username}-{span.slug}"
    if what == "actes":
        if request.user.role == Role.REMPLACANT:
            lines = selectors.performed_lines(request.user, span)
        else:
            lines = InvoiceLine.objects.filter(invoice__in=selectors.period_invoices(nurse, span))
        rows = (
            [number, timezone.localtime(validated_at).date(), day, code,
             "" if coefficient is None else coefficient, _money(rate), _money(amount),
             _money(amo), _money(amc), _money(patient_share),
             performer if performer_id and performer_id != billing_nurse_id else ""]
            for (number, validated_at, day, code, coefficient, rate, amount, amo, amc,
                 patient_share, performer, performer_id, billing_nurse_id)
            in lines.order_by("invoice__validated_at", "invoice_id", "position").values_list(
                "invoice__number", "invoice__validated_at", "date", "code", "coefficient",
                "rate", "amount", "amo", "amc", "patient_share",
                "seance__performed_by__username", "seance__performed_by_id",
                "invoice__nurse_id").iterator(chunk_size=5000))
        return _csv_response(f"actes-{name}.csv", [
            "facture", "date_facture", "date_soins", "cle", "coefficient", "taux", "montant",
            "part_amo", "part_amc", "part_patient", "remplacant"], rows)
    if request.user.role == Role.REMPLACANT:
        raise Http404("Export réservé au titulaire et au secrétariat.")
    if what == "recettes":
        payments = selectors.receipts(nurse, span)
        rows = ([p.received_on, p.payer_kind, p.payer_name, p.means, p.reference,
                 _money(p.amount), " ".join(a.invoice.number for a in p.allocations.all()),
                 nurse.username] for p in payments)
        return _csv_response(f"recettes-{name}.csv", [
            "date", "payeur_type", "payeur", "moyen", "reference", "montant", "factures",
            "infirmier"], rows)
    if what == "synthese" and span.kind == "year":
        rows = []
        for month_start, by_payer in selectors.yearly_summary(nurse, span.start.year):
            for payer, amount in by_payer.items():
                rows.append([f"{month_start:%Y-%m}", payer, _money(amount)])
            rows.append([f"{month_start:%Y-%m}", "total", _money(sum(by_payer.values()))])
        return _csv_response(f"synthese-{name}.csv", ["mois", "payeur_type", "montant"], rows)
    raise Http404("Export inconnu.")


@require_POST
@roles(*OFFICE)
def summary_pdf(request: HttpRequest, nurse_id: int, year: int) -> HttpResponse:
    """The accountant's yearly summary as a PDF, through the documents
    pipeline: the request returns at once, a worker renders it."""
    from documents.services import request_document

    from .payments.documents import SUMMARY_KIND

    nurse = _get_nurse_for_user(request.user, nurse_id)
    _period(year)
    summary = AnnualSummary.objects.create(nurse=nurse, year=year, requested_by=request.user)
    document = request_document(acting_user=request.user, kind=SUMMARY_KIND, obj=summary)
    return redirect("documents:detail", document.pk)

