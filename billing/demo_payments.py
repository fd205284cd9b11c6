"""Demo payments (PAY-*, LED-*): three months of the titulaires' billing
before last week — one passage a week per care plan, entered through the
secretary's act entry (the one pricing path), invoiced and validated on the
Monday after — then what the payers did: the caisse's weekly statement ten
days later, most patients' share at once, a partial payment, a reject, and
invoices left unpaid in every age band (PAY-3).

Runs before the week of `billing.demo` so that invoice numbers follow their
dates (FAC-3). Idempotent: nothing happens once the demo has a payment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from billing.invoicing import services as invoicing
from billing.models import Invoice
from billing.models.payments import Payment
from billing.ngap import catalogue
from billing.payments import services
from billing.payments.services import AllocationRequest
from billing.services.entries import EntryData, save_entry
from cabinet.models import CarePlan

WEEKS = 13  # about three months before last week
NURSES = ("claire", "marc", "sophie")


def _at(day, hour: int = 18):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _history(users, this_monday) -> dict:
    """Week → the validated invoices of that week."""
    plans = list(CarePlan.objects.filter(nurse__username__in=NURSES)
                 .select_related("prescription", "patient", "nurse")
                 .prefetch_related("acts").order_by("pk"))
    weeks: dict = {}
    for back in range(WEEKS + 1, 1, -1):
        monday = this_monday - timedelta(weeks=back)
        seance_ids = []
        slots: dict = defaultdict(int)
        for plan in plans:
            prescription = plan.prescription
            acts = [a.as_visit_act() for a in plan.acts.all()
                    if a.key not in catalogue.BSI_FORFAITS]
            day = monday + timedelta(days=1 + plan.pk % 3)
            if not acts or not prescription.start_date <= day <= prescription.end_date:
                continue
            index = slots[(plan.nurse_id, day)]
            slots[(plan.nurse_id, day)] += 1
            minutes = 8 * 60 + 45 * index
            seance = save_entry(acting_user=users["nadia"], data=EntryData(
                patient=plan.patient, date=day, time=time(minutes // 60, minutes % 60),
                nurse=plan.nurse, performed_by=plan.nurse, prescription=prescription,
                acts=acts))
            if seance.status == "priced":
                seance_ids.append(seance.pk)
        if not seance_ids:
            continue
        drafts = invoicing.create_invoices(acting_user=users["nadia"], seance_ids=seance_ids)
        report = invoicing.validate_invoices(acting_user=users["nadia"], invoices=drafts,
                                             at=_at(monday + timedelta(days=7), 9))
        for invoice in [i for i in drafts if i.pk in report.blocked]:
            findings = report.blocked[invoice.pk]
            if any(f.is_error for f in findings):
                invoicing.delete_draft(acting_user=users["nadia"], invoice=invoice)
                continue
            for finding in findings:
                invoicing.acknowledge_warning(acting_user=users["nadia"], invoice=invoice,
                                              key=finding.key)
            invoicing.validate_invoices(acting_user=users["nadia"], invoices=[invoice],
                                        at=_at(monday + timedelta(days=7), 10))
        weeks[monday] = list(Invoice.objects.filter(pk__in=[i.pk for i in drafts],
                                                    status="validee").order_by("pk"))
    return weeks


def _payments(users, weeks: dict, today) -> None:
    nadia = users["nadia"]
    mondays = sorted(weeks)
    oldest, middle = mondays[0], mondays[len(mondays) // 2]
    for monday in mondays:
        issued = monday + timedelta(days=7)
        by_nurse: dict = defaultdict(list)
        for invoice in weeks[monday]:
            by_nurse[invoice.nurse_id].append(invoice)
        for _nurse_id, invoices in sorted(by_nurse.items()):
            nurse = invoices[0].nurse
            # Left unpaid by the caisse: one invoice of the oldest week (over 60
            # days) and one of the middle week (31–60 days); recent weeks are
            # not paid yet (0–30 days).
            unpaid = {invoices[0].pk} if monday in (oldest, middle) else set()
            # A reject for claire in the middle week, a partial payment in the oldest.
            if monday == middle and nurse.username == "claire" and len(invoices) > 1:
                services.record_reject(acting_user=nadia, invoice=invoices[1], payer_kind="amo",
                                       rejected_on=issued + timedelta(days=9),
                                       reason="Rejet CPAM : ordonnance non jointe (SCOR)")
                unpaid.add(invoices[1].pk)
            paid_on = issued + timedelta(days=10)
            for invoice in invoices:
                if invoice.patient_share > 0 and invoice.pk % 4 and invoice.pk not in unpaid:
                    services.record_payment(
                        acting_user=nadia, nurse=nurse, payer_kind="patient",
                        payer_name=str(invoice.patient), received_on=issued,
                        means="cheque" if invoice.pk % 2 else "especes", reference="",
                        amount=invoice.patient_share,
                        allocations=[AllocationRequest(invoice.pk, invoice.patient_share)])
            if paid_on > today or monday == mondays[-1]:
                continue  # the caisse has not paid the last week yet (0–30 days)
            amc: dict = defaultdict(list)
            for invoice in invoices:
                if invoice.amc > 0 and invoice.pk not in unpaid and invoice.patient.amc_name:
                    amc[invoice.patient.amc_name].append(invoice)
            for organism, group in sorted(amc.items()):
                services.record_payment(
                    acting_user=nadia, nurse=nurse, payer_kind="amc", payer_name=organism,
                    received_on=paid_on + timedelta(days=5), means="virement",
                    reference=f"Tiers payant {paid_on:%m/%Y}",
                    amount=sum((i.amc for i in group), Decimal(0)),
                    allocations=[AllocationRequest(i.pk, i.amc) for i in group])
            parts = []
            for n, invoice in enumerate(invoices):
                if invoice.pk in unpaid or invoice.amo <= 0:
                    continue
                short = Decimal("1.00") if monday == oldest and n == len(invoices) - 1 else 0
                parts.append(AllocationRequest(invoice.pk, invoice.amo - short))
            if parts:
                services.record_payment(
                    acting_user=nadia, nurse=nurse, payer_kind="amo",
                    payer_name="CPAM d'Indre-et-Loire", received_on=paid_on, means="virement",
                    reference=f"Relevé {paid_on:%d/%m/%Y}",
                    amount=sum((p.amount for p in parts), Decimal(0)), allocations=parts)


def seed(users, stdout=None) -> dict:
    if Payment.objects.exists():
        return {}
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    weeks = _history(users, this_monday)
    if weeks:
        _payments(users, weeks, today)
    result = {"invoices": sum(len(v) for v in weeks.values()),
              "payments": Payment.objects.count()}
    if stdout is not None:
        stdout.write(f"Paiements : {result['invoices']} factures sur {len(weeks)} semaines, "
                     f"{result['payments']} paiements.")
    return result


def settle_last_week(nadia, invoices) -> None:
    """The week of `billing.demo`: one invoice paid by every payer, one by
    the caisse only, one rejected."""
    received = timezone.localdate()
    for n, invoice in enumerate(invoices):
        if n == 2:
            services.record_reject(acting_user=nadia, invoice=invoice, payer_kind="amo",
                                   rejected_on=received,
                                   reason="Rejet CPAM : droits du bénéficiaire à vérifier")
            continue
        payers = (("amo", invoice.amo), ("amc", invoice.amc),
                  ("patient", invoice.patient_share))
        if n == 1:
            payers = payers[:1] if invoice.amo < invoice.total else (
                ("amo", invoice.amo - Decimal("1.00")),)
        for payer, amount in payers:
            if amount <= 0:
                continue
            services.record_payment(
                acting_user=nadia, nurse=invoice.nurse, payer_kind=payer,
                payer_name=invoice.patient.amc_name if payer == "amc" else (
                    str(invoice.patient) if payer == "patient" else "CPAM d'Indre-et-Loire"),
                received_on=received, means="cheque" if payer == "patient" else "virement",
                reference="", amount=amount,
                allocations=[AllocationRequest(invoice.pk, amount)])
