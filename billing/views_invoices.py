"""The invoice pages (FAC-1…9, AUD-1…11): the selection of séances to
invoice, the invoices and their audit before validation, the « à vérifier »
list and the FSE export batches.

Who sees what (`billing.invoicing.selectors`): the secrétaire the whole
cabinet, a titulaire her own invoices, a remplaçant(e) read-only the invoices
of séances she performed, the administrator nothing. Every view looks its
object up first (`_get_<object>_for_user`): foreign → 404, read-only → 403.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Prefetch, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.access import OFFICE, STAFF, get_for_user, roles
from core.figures import until_next_write
from core.models import Role, User

from .invoicing import export as fse_export
from .invoicing import selectors, services
from .invoicing.audit_input import audit_seances
from .invoicing.documents import INVOICE_KIND
from .invoicing.services import InvoiceError
from .models import (
    ExportBatch,
    Invoice,
    InvoiceLine,
    InvoiceSeance,
    InvoiceStatus,
    Seance,
)

PAGE_SIZE = 30


# ---------------------------------------------------------------- helpers


def parse_week(value: str | None) -> date | None:
    """« 2026-W23 » (an <input type=week>) → its Monday; None if absent or
    implausible (2000–2100)."""
    if not value:
        return None
    try:
        year, week = value.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, TypeError):
        return None
    return monday if 2000 <= monday.year <= 2100 else None


def week_value(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _get_invoice_for_user(user, pk: int, *, write: bool = False, detail: bool = False) -> Invoice:
    """The invoice among those the user sees, else 404; 403 on a write she may
    not make. A visible invoice is editable exactly when she may invoice
    (`selectors.invoices_editable_by`), so the write check needs no query.
    `detail` reads what the detail page shows in the same query."""
    invoices = selectors.invoices_visible_to(user)
    if detail:
        invoices = (invoices.select_related("patient", "nurse", "validated_by", "cancels", "batch")
                    .prefetch_related(Prefetch("lines", InvoiceLine.objects.order_by("position"))))
    return get_for_user(invoices, pk, allowed=not write or selectors.can_create_invoices(user))


def _get_batch_for_user(user, pk: int) -> ExportBatch:
    batch = ExportBatch.objects.filter(pk=pk).first()
    if batch is None or not selectors.can_create_invoices(user):
        raise Http404
    if user.role == Role.TITULAIRE and batch.nurse_id != user.pk:
        raise Http404
    return batch


def _nurses():
    return list(User.objects.filter(role__in=(Role.TITULAIRE, Role.REMPLACANT), is_active=True)
                .order_by("last_name", "first_name"))


# ---------------------------------------------------------------- invoices


@roles(*STAFF)
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    qs = (selectors.invoices_visible_to(request.user)
          .select_related("patient", "nurse").order_by("-created_at", "-pk"))
    status = request.GET.get("etat", "")
    if status in InvoiceStatus.values:
        qs = qs.filter(status=status)
    nurse_id = _int(request.GET.get("infirmier"))
    if nurse_id:
        qs = qs.filter(nurse_id=nurse_id)
    monday = parse_week(request.GET.get("semaine"))
    if monday:
        qs = qs.filter(period_start__lte=monday + timedelta(days=6), period_end__gte=monday)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/invoice_list.html", {
        "page": page, "statuses": InvoiceStatus.choices, "status": status,
        "nurses": _nurses() if request.user.role == Role.SECRETAIRE else [],
        "nurse_id": nurse_id, "week": request.GET.get("semaine", "") if monday else "",
        "can_create": selectors.can_create_invoices(request.user),
        "drafts_on_page": [i for i in page.object_list if i.is_draft],
    })


@roles(*OFFICE)
def invoice_new(request: HttpRequest) -> HttpResponse:
    """Séances ready to invoice: per patient, or all of a week, grouped one
    invoice per patient and billing nurse (FAC-1)."""
    ready = selectors.invoiceable_seances_for(request.user)
    if request.method == "POST":
        ids = [n for n in (_int(v) for v in request.POST.getlist("seances")) if n]
        monday = parse_week(request.POST.get("semaine"))
        if not ids and monday:
            ids = list(ready.filter(date__range=(monday, monday + timedelta(days=6)))
                       .values_list("pk", flat=True))
        try:
            invoices = services.create_invoices(acting_user=request.user, seance_ids=ids)
        except InvoiceError as exc:
            messages.error(request, exc.message)
            return redirect(request.get_full_path())
        messages.success(request, f"{len(invoices)} facture(s) créée(s) en brouillon : "
                                  "vérifiez l'audit puis validez.")
        if len(invoices) == 1:
            return redirect("billing:invoice_detail", pk=invoices[0].pk)
        return redirect(reverse("billing:invoice_list") + "?etat=brouillon")

    patient_id = _int(request.GET.get("patient"))
    monday = parse_week(request.GET.get("semaine"))
    context = {"patient_seances": None, "week_groups": None, "patient": None,
               "week": week_value(monday or timezone.localdate()
                                  - timedelta(days=timezone.localdate().weekday()))}
    if patient_id:
        seances = list(ready.filter(patient_id=patient_id).select_related("patient", "nurse",
                                                                          "performed_by")
                       .order_by("date", "time")[:200])
        context["patient_seances"] = seances
        context["patient"] = seances[0].patient if seances else None
    elif monday:
        groups = (ready.filter(date__range=(monday, monday + timedelta(days=6)))
                  .values("patient_id", "patient__last_name", "patient__first_name",
                          "nurse_id", "nurse__first_name", "nurse__last_name")
                  .annotate(count=Count("pk"), total=Sum("total"), first=Min("date"),
                            last=Max("date"))
                  .order_by("patient__last_name", "patient__first_name", "nurse_id"))
        context["week_groups"] = Paginator(groups, 50).get_page(request.GET.get("page"))
        context["week"] = week_value(monday)
        context["monday"] = monday
    else:
        patients = (ready.values("patient_id", "patient__last_name", "patient__first_name")
                    .annotate(count=Count("pk"), first=Min("date"), last=Max("date"))
                    .order_by("patient__last_name", "patient__first_name", "patient_id"))
        context["patients"] = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/invoice_new.html", context)


def _detail_context(request, invoice: Invoice, blocking=None) -> dict:
    lines = list(invoice.lines.all())
    links = list(InvoiceSeance.objects.filter(invoice=invoice)
                 .select_related("seance__performed_by", "seance__prescription__prescriber")
                 .order_by("seance__date", "seance__time"))
    seances = [link.seance for link in links]
    lines_by_seance = defaultdict(list)
    for line in lines:
        lines_by_seance[line.seance_id].append(line)
    acks = {ack.key: ack for ack in invoice.acknowledgements.select_related("acknowledged_by")}
    findings = []
    if invoice.is_draft:
        result, _ = audit_seances(s.pk for s in seances)
        findings = result.findings
    errors = [f for f in findings if f.is_error]
    warnings = [{"finding": f, "ack": acks.get(f.key)} for f in findings if not f.is_error]
    payers = {"AMO": invoice.amo, invoice.coverage.get("complementary_payer") or "AMC":
              invoice.amc, "Patient": invoice.patient_share}
    return {
        "invoice": invoice, "snapshot": invoice.snapshot,
        "rows": [{"seance": s, "lines": lines_by_seance.get(s.pk, []),
                  "findings": [f for f in findings if f.seance == s.pk]} for s in seances],
        "errors": errors, "warnings": warnings,
        "pending_warnings": [w for w in warnings if w["ack"] is None],
        "acks": list(acks.values()),
        "payers": payers,
        "can_edit": selectors.can_create_invoices(request.user),
        "pdf_kind": INVOICE_KIND,
        "credit_note": getattr(invoice, "credit_note", None) if not invoice.is_draft else None,
        "blocking": blocking or [],
        # PAY-1, PAY-2: what the payers did with it.
        "allocations": [] if invoice.is_draft else list(
            invoice.allocations.select_related("payment").order_by("payment__received_on")),
        "rejects": [] if invoice.is_draft else list(invoice.rejects.order_by("rejected_on")),
    }


@roles(*STAFF)
@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, detail=True)
    audit.record_view(request, obj=invoice, patient_id=invoice.patient_id)
    return render(request, "billing/invoice_detail.html", _detail_context(request, invoice))


@roles(*OFFICE)
@require_POST
def invoice_validate(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, write=True)
    try:
        invoice = services.validate_invoice(acting_user=request.user, invoice=invoice)
    except InvoiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing:invoice_detail", pk=pk)
    messages.success(request, f"Facture {invoice.number} validée.")
    return redirect("billing:invoice_detail", pk=pk)


@roles(*OFFICE)
@require_POST
def invoice_validate_many(request: HttpRequest) -> HttpResponse:
    """Validate the drafts ticked in the list; those the audit blocks stay
    drafts and are named."""
    ids = [n for n in (_int(v) for v in request.POST.getlist("factures")) if n]
    invoices = list(selectors.invoices_editable_by(request.user)
                    .filter(pk__in=ids, status=InvoiceStatus.DRAFT))
    if not invoices:
        messages.error(request, "Cochez au moins un brouillon à valider.")
        return redirect(reverse("billing:invoice_list") + "?etat=brouillon")
    report = services.validate_invoices(acting_user=request.user, invoices=invoices)
    if report.validated:
        messages.success(request, f"{len(report.validated)} facture(s) validée(s).")
    if report.blocked:
        messages.error(request, f"{len(report.blocked)} brouillon(s) bloqué(s) par l'audit "
                                "(erreur ou avertissement à accepter) : ouvrez-les pour corriger.")
    return redirect(reverse("billing:invoice_list") + "?etat=brouillon")


@roles(*OFFICE)
@require_POST
def invoice_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, write=True)
    try:
        services.acknowledge_warning(acting_user=request.user, invoice=invoice,
                                     key=request.POST.get("key", "")[:600])
    except InvoiceError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("billing:invoice_detail", args=[pk]) + "#audit")


@roles(*OFFICE)
@require_POST
def invoice_remove_seance(request: HttpRequest, pk: int, seance_pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, write=True)
    try:
        remaining = services.remove_seance(acting_user=request.user, invoice=invoice,
                                           seance_id=seance_pk)
    except InvoiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing:invoice_detail", pk=pk)
    messages.success(request, "Séance retirée de la facture : elle peut être corrigée puis "
                              "facturée à nouveau.")
    seance = Seance.objects.filter(pk=seance_pk).only("source").first()
    if seance is not None and seance.source == "entry":
        # An entered passage is corrected where it was entered.
        return redirect("billing:entry_edit", pk=seance_pk)
    if remaining is None:
        return redirect("billing:invoice_new")
    return redirect("billing:invoice_detail", pk=pk)


@roles(*OFFICE)
@require_POST
def invoice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, write=True)
    try:
        services.delete_draft(acting_user=request.user, invoice=invoice)
    except InvoiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing:invoice_detail", pk=pk)
    messages.success(request, "Brouillon supprimé ; ses séances sont à nouveau à facturer.")
    return redirect("billing:invoice_list")


@roles(*OFFICE)
@require_POST
def invoice_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice_for_user(request.user, pk, write=True)
    try:
        credit = services.cancel_with_credit_note(
            acting_user=request.user, invoice=invoice,
            reason=request.POST.get("motif", "")[:500])
    except InvoiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing:invoice_detail", pk=pk)
    messages.success(request, f"Avoir {credit.number} établi : la facture est annulée et ses "
                              "séances peuvent être refacturées.")
    return redirect("billing:invoice_detail", pk=credit.pk)


# ---------------------------------------------------------------- à vérifier


@roles(*STAFF)
@require_GET
def audit_worklist(request: HttpRequest) -> HttpResponse:
    """Every séance of the week not yet on a validated invoice that has a
    finding of the pre-send audit, for the whole cabinet (filter by nurse)."""
    today = timezone.localdate()
    monday = parse_week(request.GET.get("semaine")) or today - timedelta(days=today.weekday())
    qs = (selectors.seances_visible_to(request.user)
          .filter(date__range=(monday, monday + timedelta(days=6)))
          .exclude(status="cancelled")
          .exclude(invoice_links__invoice__status__in=[
              s for s in InvoiceStatus.values if s not in (InvoiceStatus.DRAFT,
                                                           InvoiceStatus.CANCELLED)]))
    nurse_id = _int(request.GET.get("infirmier"))
    if nurse_id:
        qs = qs.filter(nurse_id=nurse_id)

    def week_audit() -> dict:
        ids = list(qs.values_list("pk", flat=True)[:2000])
        result, seances = audit_seances(ids)
        by_seance = defaultdict(list)
        for finding in result.findings:
            by_seance[finding.seance].append(finding)
        rows = sorted(({"id": sid, "findings": found, "sort": (seances[sid].date,
                                                                 seances[sid].time, sid)}
                       for sid, found in by_seance.items() if sid in seances),
                      key=lambda r: r["sort"])
        return {"rows": rows, "errors": len(result.errors), "warnings": len(result.warnings),
                "truncated": len(ids) == 2000}

    # The week's audit is the same from one page of results to the next:
    # kept until the next write (core.figures).
    audited = until_next_write("audit-worklist", request.user.pk, monday.isoformat(),
                               nurse_id or "", compute=week_audit)
    page = Paginator(audited["rows"], PAGE_SIZE).get_page(request.GET.get("page"))
    page_ids = [r["id"] for r in page.object_list]
    details = {s.pk: s for s in Seance.objects.filter(pk__in=page_ids)
               .select_related("patient", "nurse", "performed_by")}
    drafts = dict(InvoiceSeance.objects.filter(seance_id__in=page_ids,
                                               invoice__status=InvoiceStatus.DRAFT)
                  .values_list("seance_id", "invoice_id"))
    page.object_list = [{"seance": details[r["id"]], "findings": r["findings"],
                         "draft": drafts.get(r["id"])}
                        for r in page.object_list if r["id"] in details]
    return render(request, "billing/audit_worklist.html", {
        "page": page, "week": week_value(monday), "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous_week": week_value(monday - timedelta(days=7)),
        "next_week": week_value(monday + timedelta(days=7)),
        "nurses": _nurses() if request.user.role == Role.SECRETAIRE else [],
        "nurse_id": nurse_id, "errors": audited["errors"], "warnings": audited["warnings"],
        "truncated": audited["truncated"],
    })


# ---------------------------------------------------------------- FSE export


@roles(*OFFICE)
def export_list(request: HttpRequest) -> HttpResponse:
    """Batches of validated invoices exported as one JSON file each (FAC-9)."""
    exportable = (selectors.invoices_editable_by(request.user)
                  .filter(status=InvoiceStatus.VALIDATED, batch__isnull=True))
    if request.method == "POST":
        nurse_id = _int(request.POST.get("infirmier"))
        chosen = exportable.filter(nurse_id=nurse_id) if nurse_id else exportable.none()
        try:
            batch = fse_export.export_batch(acting_user=request.user, invoices=list(chosen))
        except InvoiceError as exc:
            messages.error(request, exc.message)
            return redirect("billing:export_list")
        messages.success(request, f"Lot {batch.pk} exporté : {batch.invoices.count()} "
                                  "facture(s).")
        return redirect("billing:export_list")
    pending = (exportable.values("nurse_id", "nurse__first_name", "nurse__last_name")
               .annotate(count=Count("pk"), total=Sum("total")).order_by("nurse__last_name"))
    batches = ExportBatch.objects.select_related("nurse", "created_by").annotate(
        count=Count("invoices"), total=Sum("invoices__total"))
    if request.user.role == Role.TITULAIRE:
        batches = batches.filter(nurse=request.user)
    page = Paginator(batches.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "billing/export_list.html", {"pending": list(pending), "page": page})


@roles(*OFFICE)
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request.user, pk)
    audit.record(actor=request.user, action="fse_export.download", obj=batch,
                 view="billing:export_download")
    response = HttpResponse(json.dumps(batch.content, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.filename}"'
    return response


@roles(*OFFICE)
@require_POST
def export_transmit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch_for_user(request.user, pk)
    try:
        fse_export.mark_batch_transmitted(acting_user=request.user, batch=batch)
    except InvoiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Lot {batch.pk} marqué transmis.")
    return redirect("billing:export_list")
