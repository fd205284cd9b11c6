"""Invoice services: keyword-only, taking `acting_user`, atomic, each with its
audit row in the same transaction (core/audit.py).

- `create_invoices`: drafts from priced séances not yet invoiced, one per
  patient and billing nurse (FAC-1); lines copied from the séances' frozen
  lines with the split of the patient's coverage (FAC-5, FAC-6). The séances
  are marked invoiced (`invoiced_at`) so they are never re-priced under the
  invoice.
- `delete_draft`, `remove_seance`: a draft may change; its séances are freed.
- `acknowledge_warning`: a warning of the audit accepted (who, when).
- `validate_invoices`: the audit (AUD-1…11) on every séance; errors block,
  every warning must be acknowledged; then the number (FAC-3), allocated per
  billing nurse from a row locked FOR UPDATE inside this transaction.
- `cancel_with_credit_note`: the avoir that cancels a validated invoice in
  full and frees its séances (FAC-4).
- `set_status`: the payer's answer (payée, partiellement payée, rejetée), for
  the payments work; `export_batch` / `mark_batch_transmitted` (FAC-9) live in
  `billing.invoicing.export`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from billing.audit import Finding
from billing.models import (
    AuditAcknowledgement,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeance,
    InvoiceStatus,
    Seance,
    SeanceStatus,
)
from billing.models.invoices import TRANSITIONS
from core import audit

from . import selectors
from .audit_input import audit_seances
from .split import Coverage, split_line

ZERO = Decimal("0.00")


class InvoiceError(Exception):
    """A refused invoice operation, with a French message for the user and,
    for a refused validation, the audit findings that block it."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.message = message
        self.findings = findings or []


# ---------------------------------------------------------------- helpers


def coverage_of(patient, day, *, ald: bool = False) -> Coverage:
    return Coverage(
        regime=patient.amo_regime, ald=ald, exemption=patient.exemption_on(day),
        c2s=patient.c2s, amc=patient.amc_name, amc_tiers_payant=patient.amc_tiers_payant,
    )


def _identity(user) -> dict:
    return {"id": user.pk, "name": user.get_full_name() or user.username, "rpps": user.rpps}


def snapshot(invoice: Invoice, seances: list[Seance]) -> dict:
    """The identities printed on the invoice and exported (FAC-2, FAC-9),
    frozen: later edits of the patient or the prescriber never change it."""
    patient = invoice.patient
    prescriptions = {}
    for seance in seances:
        p = seance.prescription
        if p is not None and p.pk not in prescriptions:
            prescriber = p.prescriber
            prescriptions[p.pk] = {
                "id": p.pk, "date": p.date.isoformat(), "start": p.start_date.isoformat(),
                "end": p.end_date.isoformat(), "at_home": p.at_home,
                "scan": bool(p.file),
                "prescriber": {"name": f"Dr {prescriber.first_name} {prescriber.last_name}",
                               "rpps": prescriber.rpps, "specialty": prescriber.specialty},
            }
    performers = {}
    for seance in seances:
        if seance.performed_by_id and seance.performed_by_id not in performers:
            performers[seance.performed_by_id] = _identity(seance.performed_by)
    return {
        "patient": {
            "id": patient.pk, "last_name": patient.last_name, "first_name": patient.first_name,
            "birth_date": patient.birth_date.isoformat(), "nir": patient.nir,
            "address": patient.full_address, "amo_regime": patient.amo_regime,
            "amo_caisse_code": patient.amo_caisse_code, "amc_name": patient.amc_name,
        },
        "nurse": _identity(invoice.nurse),
        "performers": list(performers.values()),
        "prescriptions": list(prescriptions.values()),
        "seances": [
            {"id": s.pk, "date": s.date.isoformat(), "time": s.time.strftime("%H:%M"),
             "prescription": s.prescription_id, "performed_by": s.performed_by_id,
             "tariff_version": s.tariff_version.isoformat() if s.tariff_version else None}
            for s in seances
        ],
    }


def _fill(invoice: Invoice, seances: list[Seance]) -> None:
    """Lines, split and totals of a draft from its séances' frozen lines."""
    position = 0
    lines = []
    totals = defaultdict(lambda: ZERO)
    coverages = {}
    for seance in sorted(seances, key=lambda s: (s.date, s.time, s.pk)):
        ald = any("AMO-2" in (rule or "") for rule in seance.amo_rules)
        coverage = coverage_of(invoice.patient, seance.date, ald=ald)
        coverages[seance.date.isoformat()] = coverage
        for line in seance.lines.all():
            if not line.rate and not line.amount:
                continue  # a dropped act (rate 0): explained on the séance, not billed
            part = split_line(line.amount, line.amo_rate, line.amo, coverage)
            lines.append(InvoiceLine(
                invoice=invoice, seance=seance, position=position, date=seance.date,
                time=seance.time, code=line.code, label=line.label,
                coefficient=line.coefficient, rate=line.rate, unit_value=line.unit_value,
                amount=line.amount, rules=list(line.rules), tariff_date=line.tariff_date,
                amo_rate=part.amo_rate, amo=part.amo, amc=part.amc, patient_share=part.patient,
                split_rules=list(part.rules),
            ))
            position += 1
            totals["total"] += line.amount
            totals["amo"] += part.amo
            totals["amc"] += part.amc
            totals["patient"] += part.patient
    InvoiceLine.objects.bulk_create(lines)
    invoice.total = totals["total"]
    invoice.amo = totals["amo"]
    invoice.amc = totals["amc"]
    invoice.patient_share = totals["patient"]
    any_coverage = next(iter(coverages.values()), coverage_of(invoice.patient, timezone.localdate()))
    invoice.coverage = {
        "regime": any_coverage.regime, "c2s": any_coverage.c2s, "amc": any_coverage.amc,
        "amc_tiers_payant": any_coverage.amc_tiers_payant,
        "complementary_payer": any_coverage.complementary_payer,
        "exemption_by_date": {day: c.exemption for day, c in coverages.items() if c.exemption},
    }
    invoice.tariff_versions = sorted({s.tariff_version.isoformat() for s in seances
                                      if s.tariff_version})
    invoice.period_start = min(s.date for s in seances)
    invoice.period_end = max(s.date for s in seances)


# ---------------------------------------------------------------- drafts


@transaction.atomic
def create_invoices(*, acting_user, seance_ids: Iterable[int]) -> list[Invoice]:
    """Draft invoices from these séances, one per patient and billing nurse
    (FAC-1). Refused as a whole if one séance is not invoiceable by this user
    (already invoiced, not priced, not hers)."""
    ids = sorted({int(pk) for pk in seance_ids})
    if not ids:
        raise InvoiceError("Sélectionnez au moins une séance.")
    allowed = set(selectors.invoiceable_seances_for(acting_user).filter(pk__in=ids)
                  .values_list("pk", flat=True))
    seances = list(
        Seance.objects.select_for_update(of=("self",)).filter(pk__in=ids)
        .select_related("patient", "nurse", "performed_by", "prescription__prescriber")
        .prefetch_related("lines").order_by("pk")
    )
    refused = [s for s in seances if s.pk not in allowed or s.invoiced_at is not None
               or s.status != SeanceStatus.PRICED or s.nurse_id is None]
    if refused or len(seances) != len(ids):
        raise InvoiceError(
            "Séance(s) non facturable(s) (déjà facturée, non cotée ou hors de votre périmètre) : "
            + ", ".join(str(s) for s in refused[:5]))
    groups: dict[tuple, list[Seance]] = defaultdict(list)
    for seance in seances:
        groups[(seance.patient_id, seance.nurse_id)].append(seance)
    now = timezone.now()
    invoices = []
    for (_patient_id, _nurse_id), group in sorted(groups.items(), key=lambda kv: (
            kv[1][0].patient.last_name, kv[1][0].patient.first_name, kv[0])):
        invoice = Invoice.objects.create(
            patient=group[0].patient, nurse=group[0].nurse, created_by=acting_user,
            status=InvoiceStatus.DRAFT,
        )
        InvoiceSeance.objects.bulk_create([InvoiceSeance(invoice=invoice, seance=s)
                                           for s in group])
        _fill(invoice, group)
        invoice.snapshot = snapshot(invoice, group)
        invoice.save()
        invoices.append(invoice)
        audit.record(actor=acting_user, action="invoice.draft", obj=invoice,
                     patient_id=invoice.patient_id, seances=[s.pk for s in group],
                     total=str(invoice.total))
    Seance.objects.filter(pk__in=ids).update(invoiced_at=now, updated_at=now)
    return invoices


def _lock_draft(invoice: Invoice, acting_user) -> Invoice:
    locked = (selectors.invoices_editable_by(acting_user).select_for_update()
              .filter(pk=invoice.pk).first())
    if locked is None:
        raise InvoiceError("Facture introuvable ou hors de votre périmètre.")
    if not locked.is_draft:
        raise InvoiceError("Facture validée : elle ne peut plus être modifiée ; établissez un "
                           "avoir (FAC-4).")
    return locked


def _free(seance_ids: list[int]) -> None:
    Seance.objects.filter(pk__in=seance_ids).update(invoiced_at=None, updated_at=timezone.now())


@transaction.atomic
def delete_draft(*, acting_user, invoice: Invoice) -> None:
    """A draft is deleted; its séances can be invoiced again."""
    invoice = _lock_draft(invoice, acting_user)
    seance_ids = list(invoice.links.values_list("seance_id", flat=True))
    audit.record(actor=acting_user, action="invoice.draft_deleted", obj=invoice,
                 patient_id=invoice.patient_id, seances=seance_ids)
    invoice.delete()
    _free(seance_ids)


@transaction.atomic
def remove_seance(*, acting_user, invoice: Invoice, seance_id: int) -> Invoice | None:
    """Take a séance off a draft (to correct it); the draft is rebuilt, or
    deleted when it had no other séance."""
    invoice = _lock_draft(invoice, acting_user)
    links = list(invoice.links.select_related("seance"))
    if seance_id not in {link.seance_id for link in links}:
        raise InvoiceError("Cette séance n'est pas sur cette facture.")
    if len(links) == 1:
        delete_draft(acting_user=acting_user, invoice=invoice)
        return None
    invoice.links.filter(seance_id=seance_id).delete()
    invoice.lines.all().delete()
    invoice.acknowledgements.filter(seance_id=seance_id).delete()
    _free([seance_id])
    remaining = list(Seance.objects.filter(invoice_links__invoice=invoice)
                     .select_related("patient", "nurse", "performed_by",
                                     "prescription__prescriber").prefetch_related("lines"))
    _fill(invoice, remaining)
    invoice.snapshot = snapshot(invoice, remaining)
    invoice.row_version = F("row_version") + 1
    invoice.save()
    invoice.refresh_from_db()
    audit.record(actor=acting_user, action="invoice.seance_removed", obj=invoice,
                 patient_id=invoice.patient_id, seance=seance_id)
    return invoice


@transaction.atomic
def acknowledge_warning(*, acting_user, invoice: Invoice, key: str) -> AuditAcknowledgement:
    """A warning of the audit, accepted by this user (AUD-*: who, when)."""
    invoice = _lock_draft(invoice, acting_user)
    result, _ = audit_seances(invoice.links.values_list("seance_id", flat=True))
    finding = next((f for f in result.warnings if f.key == key), None)
    if finding is None:
        raise InvoiceError("Cet avertissement n'existe plus : relancez l'audit.")
    ack, created = AuditAcknowledgement.objects.get_or_create(
        invoice=invoice, key=key,
        defaults={"seance_id": finding.seance, "rule": finding.rule,
                  "message": finding.full_message, "acknowledged_by": acting_user},
    )
    if created:
        audit.record(actor=acting_user, action="invoice.warning_acknowledged", obj=invoice,
                     patient_id=invoice.patient_id, rule=finding.rule, seance=finding.seance)
    return ack


# ---------------------------------------------------------------- validation


@dataclass
class ValidationReport:
    validated: list[Invoice] = field(default_factory=list)
    blocked: dict[int, list[Finding]] = field(default_factory=dict)


def _allocate(nurse_id: int, count: int) -> int:
    """Reserve `count` numbers for a nurse; returns the first (FAC-3). The
    counter row is locked until the transaction ends: concurrent validations
    queue, and a rollback gives the numbers back (no gap)."""
    try:
        with transaction.atomic():
            InvoiceCounter.objects.get_or_create(nurse_id=nurse_id)
    except IntegrityError:
        pass  # created by a concurrent validation: lock it below
    counter = InvoiceCounter.objects.select_for_update().get(nurse_id=nurse_id)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return first


def number_for(invoice: Invoice, sequence: int) -> str:
    nurse = invoice.nurse
    initials = "".join(part[:1] for part in (nurse.first_name, nurse.last_name)).upper() or "F"
    return f"{initials}{nurse.pk}-{sequence:06d}"


@transaction.atomic
def validate_invoices(*, acting_user, invoices: Iterable[Invoice], at=None) -> ValidationReport:
    """Validate drafts: the audit on all their séances at once; a draft with
    an error, or a warning not acknowledged, stays a draft (reported); the
    others get their number and are frozen.

    `at` dates the validation in the past, for a history taken over (the
    demo's months): never in the future nor before the nurse's last
    validation, so that numbers and dates stay in one order (FAC-3)."""
    ids = sorted({inv.pk for inv in invoices})
    locked = list(selectors.invoices_editable_by(acting_user).select_for_update(of=("self",))
                  .filter(pk__in=ids).select_related("nurse").order_by("pk"))
    if len(locked) != len(ids):
        raise InvoiceError("Facture introuvable ou hors de votre périmètre.")
    not_draft = [inv for inv in locked if not inv.is_draft]
    if not_draft:
        raise InvoiceError(f"Facture {not_draft[0].display_number} déjà validée.")
    links = defaultdict(list)
    for invoice_id, seance_id in InvoiceSeance.objects.filter(invoice_id__in=ids).values_list(
            "invoice_id", "seance_id"):
        links[invoice_id].append(seance_id)
    acks = defaultdict(set)
    for invoice_id, key in AuditAcknowledgement.objects.filter(invoice_id__in=ids).values_list(
            "invoice_id", "key"):
        acks[invoice_id].add(key)
    result, _ = audit_seances(seance_id for group in links.values() for seance_id in group)
    by_seance = defaultdict(list)
    for finding in result.findings:
        by_seance[finding.seance].append(finding)
    report = ValidationReport()
    ready: list[Invoice] = []
    for invoice in locked:
        findings = [f for sid in links[invoice.pk] for f in by_seance.get(sid, [])]
        blocking = [f for f in findings if f.is_error or f.key not in acks[invoice.pk]]
        if blocking:
            report.blocked[invoice.pk] = blocking
        else:
            ready.append(invoice)
    by_nurse = defaultdict(list)
    for invoice in ready:
        by_nurse[invoice.nurse_id].append(invoice)
    for nurse_id in sorted(by_nurse):
        group = by_nurse[nurse_id]
        first = _allocate(nurse_id, len(group))
        # Dated once the counter is ours: numbers and dates stay in one order.
        now = timezone.now() if at is None else _past_validation(nurse_id, at)
        for offset, invoice in enumerate(group):
            invoice.sequence = first + offset
            invoice.number = number_for(invoice, invoice.sequence)
            invoice.status = InvoiceStatus.VALIDATED
            invoice.validated_at = now
            invoice.validated_by = acting_user
            invoice.row_version += 1
    if ready:
        Invoice.objects.bulk_update(ready, ["sequence", "number", "status", "validated_at",
                                            "validated_by", "row_version", "updated_at"])
        for invoice in ready:
            audit.record(actor=acting_user, action="invoice.validated", obj=invoice,
                         patient_id=invoice.patient_id, number=invoice.number,
                         total=str(invoice.total))
    report.validated = ready
    return report


def _past_validation(nurse_id: int, at):
    last = (Invoice.objects.filter(nurse_id=nurse_id, validated_at__isnull=False)
            .order_by("-validated_at").values_list("validated_at", flat=True).first())
    if at > timezone.now() or (last is not None and at < last):
        raise InvoiceError("Date de validation hors de l'ordre chronologique (FAC-3).")
    return at


def validate_invoice(*, acting_user, invoice: Invoice) -> Invoice:
    """Validate one draft; refused with the blocking findings."""
    with transaction.atomic():
        report = validate_invoices(acting_user=acting_user, invoices=[invoice])
        if report.blocked:
            findings = report.blocked[invoice.pk]
            errors = [f for f in findings if f.is_error]
            message = (f"{len(errors)} erreur(s) de l'audit bloquent la validation." if errors
                       else "Chaque avertissement doit être accepté avant la validation.")
            raise InvoiceError(message, findings)
        return report.validated[0]


# ---------------------------------------------------------------- after validation


@transaction.atomic
def cancel_with_credit_note(*, acting_user, invoice: Invoice, reason: str) -> Invoice:
    """FAC-4: an avoir cancels a validated invoice in full. The avoir is
    numbered in the nurse's sequence; the invoice keeps its number and shows
    as cancelled; its séances can be invoiced again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvoiceError("Indiquez le motif de l'avoir.")
    original = (selectors.invoices_editable_by(acting_user).select_for_update()
                .filter(pk=invoice.pk).select_related("nurse", "patient").first())
    if original is None:
        raise InvoiceError("Facture introuvable ou hors de votre périmètre.")
    if original.is_draft:
        raise InvoiceError("Un brouillon se supprime ; l'avoir annule une facture validée.")
    if original.is_credit_note or original.status == InvoiceStatus.CANCELLED:
        raise InvoiceError("Cette facture est déjà annulée (ou est un avoir).")
    now = timezone.now()
    credit = Invoice.objects.create(
        kind=InvoiceKind.CREDIT_NOTE, status=InvoiceStatus.DRAFT, patient=original.patient,
        nurse=original.nurse, cancels=original, created_by=acting_user,
        period_start=original.period_start, period_end=original.period_end,
        total=-original.total, amo=-original.amo, amc=-original.amc,
        patient_share=-original.patient_share, coverage=original.coverage,
        snapshot=original.snapshot, tariff_versions=original.tariff_versions,
        status_reason=reason,
    )
    InvoiceLine.objects.bulk_create([
        InvoiceLine(
            invoice=credit, seance_id=line.seance_id, position=line.position, date=line.date,
            time=line.time, code=line.code, label=line.label, coefficient=line.coefficient,
            rate=line.rate, unit_value=line.unit_value, amount=-line.amount, rules=line.rules,
            tariff_date=line.tariff_date, amo_rate=line.amo_rate, amo=-line.amo,
            amc=-line.amc, patient_share=-line.patient_share, split_rules=line.split_rules,
        )
        for line in original.lines.all()
    ])
    sequence = _allocate(original.nurse_id, 1)
    now = timezone.now()
    credit.sequence = sequence
    credit.number = number_for(credit, sequence)
    credit.status = InvoiceStatus.VALIDATED
    credit.validated_at = now
    credit.validated_by = acting_user
    credit.save()
    previous = original.status
    original.status = InvoiceStatus.CANCELLED
    original.cancelled_at = now
    original.status_reason = reason
    original.row_version += 1
    original.save(update_fields=["status", "cancelled_at", "status_reason", "row_version",
                                 "updated_at"])
    seance_ids = list(original.links.values_list("seance_id", flat=True))
    _free(seance_ids)
    audit.record(actor=acting_user, action="invoice.cancelled", obj=original,
                 patient_id=original.patient_id, credit_note=credit.number, previous=previous,
                 reason=reason)
    audit.record(actor=acting_user, action="invoice.credit_note", obj=credit,
                 patient_id=credit.patient_id, number=credit.number, cancels=original.number)
    return credit


@transaction.atomic
def set_status(*, acting_user, invoice: Invoice, status: str, reason: str = "",
               at=None) -> Invoice:
    """A lifecycle step after validation (FAC-4): transmise, payée,
    partiellement payée, rejetée. Refused when the lifecycle does not allow
    it; the avoir has its own service."""
    locked = (selectors.invoices_editable_by(acting_user).select_for_update()
              .filter(pk=invoice.pk).first())
    if locked is None:
        raise InvoiceError("Facture introuvable ou hors de votre périmètre.")
    if status == InvoiceStatus.CANCELLED:
        raise InvoiceError("L'annulation passe par un avoir.")
    if status not in TRANSITIONS.get(locked.status, ()):
        raise InvoiceError(f"Passage de « {locked.get_status_display()} » à "
                           f"« {InvoiceStatus(status).label} » impossible (FAC-4).")
    if status == InvoiceStatus.REJECTED and not reason.strip():
        raise InvoiceError("Indiquez le motif du rejet.")
    previous = locked.status
    when = at or timezone.now()
    locked.status = status
    if status == InvoiceStatus.TRANSMITTED:
        locked.transmitted_at = when
    else:
        locked.settled_at = when
    locked.status_reason = reason.strip()
    locked.row_version += 1
    locked.save(update_fields=["status", "transmitted_at", "settled_at", "status_reason",
                               "row_version", "updated_at"])
    audit.record(actor=acting_user, action="invoice.status", obj=locked,
                 patient_id=locked.patient_id, previous=previous, status=status)
    return locked
