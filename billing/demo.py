"""Demo billing: last week's done passages of the demo care plans, priced by
the one pricing path (the visit hand-off), then a week of invoices in every
state — brouillon, validée, transmise (an FSE export batch), payée,
partiellement payée, rejetée, annulée by an avoir — and séances with audit
findings for the « à vérifier » list (a passage without prescription, AUD-1;
a coefficient different from the prescription, AUD-3).

Idempotent: the passages are keyed by (care plan, date, slot "dfac"); a
week already seeded is left as it is."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from billing import demo_payments
from billing import services as pricing
from billing.invoicing import export, services
from billing.invoicing.services import InvoiceError
from billing.models import Invoice, InvoiceStatus, Seance
from billing.payments.services import PaymentError
from cabinet.models import CarePlan, Visit
from cabinet.models.visits import VisitStatus
from core.models import User

SLOT = "dfac"  # Visit.slot holds 5 characters
PLANS_PER_NURSE = 4


def _at(day, t: time):
    return timezone.make_aware(datetime.combine(day, t))


def _visit(*, patient, plan, nurse, on_behalf_of, day, t, acts) -> Visit:
    end = (datetime.combine(day, t) + timedelta(hours=1)).time()
    return Visit.objects.create(
        patient=patient, care_plan=plan, slot=SLOT if plan else "", nurse=nurse,
        on_behalf_of=on_behalf_of, date=day, window_start=t, window_end=end, planned_time=t,
        acts=acts, performed_acts=acts, status=VisitStatus.DONE, done_at=_at(day, t),
    )


def _passages(monday, users) -> list[Seance]:
    plans = list(
        CarePlan.objects.filter(prescription__start_date__lte=monday,
                                nurse__username__in=("claire", "marc", "sophie"))
        .select_related("prescription", "patient", "nurse").prefetch_related("acts")
        .order_by("pk"))
    per_nurse: dict = {}
    for plan in plans:
        if plan.prescription.end_date >= monday + timedelta(days=4):
            per_nurse.setdefault(plan.nurse_id, []).append(plan)
    plans = sorted((p for group in per_nurse.values() for p in group[:PLANS_PER_NURSE]),
                   key=lambda p: p.pk)
    seances = []
    slots: dict = {}
    # Claire's last selected patient is seen by Julie, her remplaçante, billed
    # under Claire (FAC-1).
    claire_plans = [p for p in plans if p.nurse.username == "claire"]
    replaced = claire_plans[-1] if claire_plans else None
    for plan in plans:
        acts = [act.as_visit_act() for act in plan.acts.all()]
        if not acts:
            continue
        performer = users["julie"] if plan == replaced else plan.nurse
        for offset in range(5):
            day = monday + timedelta(days=offset)
            index = slots.get((performer.pk, day), 0)
            slots[(performer.pk, day)] = index + 1
            minutes = 8 * 60 + 40 * index
            t = time(minutes // 60, minutes % 60)
            visit = _visit(patient=plan.patient, plan=plan, nurse=performer,
                           on_behalf_of=plan.nurse if performer != plan.nurse else None,
                           day=day, t=t, acts=acts)
            seance = pricing.visit_completed(visit=visit, acting_user=performer)
            if seance is not None:
                seances.append(seance)
    return seances


def _findings(monday, users) -> tuple[list[Seance], list[Seance]]:
    """A passage without prescription (AUD-1, error) and one billed with a
    coefficient the prescription does not give (AUD-3, warning)."""
    errors, warnings = [], []
    plans = (CarePlan.objects.filter(prescription__start_date__lte=monday,
                                     nurse__username="marc").select_related("patient")
             .prefetch_related("acts").order_by("-pk"))
    plan = next((p for p in plans if any(a.key == "AMI" and a.coefficient
                                         for a in p.acts.all())), None)
    if plan is None:
        return errors, warnings
    acts = [act.as_visit_act() for act in plan.acts.all()]
    day = monday + timedelta(days=5)  # Saturday
    visit = _visit(patient=plan.patient, plan=None, nurse=plan.nurse, on_behalf_of=None,
                   day=day, t=time(9, 0), acts=acts)
    seance = pricing.visit_completed(visit=visit, acting_user=plan.nurse)
    if seance is not None:
        errors.append(seance)
    changed = [dict(a) for a in acts]
    for act in changed:
        if act.get("coefficient") and act.get("key") == "AMI":
            act["coefficient"] = str(Decimal(act["coefficient"]) + 1)
            act["catalogue_id"] = ""
            break
    visit = _visit(patient=plan.patient, plan=plan, nurse=plan.nurse, on_behalf_of=None,
                   day=day, t=time(11, 0), acts=changed)
    seance = pricing.visit_completed(visit=visit, acting_user=plan.nurse)
    if seance is not None:
        warnings.append(seance)
    return errors, warnings


def _invoices(seances: list[Seance], warning_seances: list[Seance], nadia: User,
              keep_validated: User) -> dict:
    ready = [s.pk for s in seances if s.status == "priced" and s.nurse_id]
    drafts = services.create_invoices(acting_user=nadia, seance_ids=ready) if ready else []
    keep_draft = drafts[-1:]  # one draft left to validate in the demo
    to_validate = drafts[:-1]
    report = services.validate_invoices(acting_user=nadia, invoices=to_validate)
    # Warnings only: the secretary checked them; accepted, then validated.
    for invoice in [i for i in to_validate if i.pk in report.blocked]:
        if any(f.is_error for f in report.blocked[invoice.pk]):
            continue
        for finding in report.blocked[invoice.pk]:
            services.acknowledge_warning(acting_user=nadia, invoice=invoice, key=finding.key)
        services.validate_invoices(acting_user=nadia, invoices=[invoice])
    if warning_seances:
        keep_draft += services.create_invoices(acting_user=nadia,
                                               seance_ids=[s.pk for s in warning_seances])
    validated = list(Invoice.objects.filter(pk__in=[i.pk for i in to_validate],
                                            status=InvoiceStatus.VALIDATED).order_by("pk"))
    by_nurse: dict = {}
    for invoice in validated:
        by_nurse.setdefault(invoice.nurse_id, []).append(invoice)
    transmitted = []
    for nurse_id, group in sorted(by_nurse.items()):
        if nurse_id == keep_validated.pk:
            continue  # Claire's invoices stay « validée », not yet exported
        batch = export.export_batch(acting_user=nadia, invoices=group)
        export.mark_batch_transmitted(acting_user=nadia, batch=batch)
        transmitted += group
    # Payée, partiellement payée and rejetée by what the payers did (PAY-1, PAY-2).
    demo_payments.settle_last_week(nadia, transmitted[:3])
    if len(transmitted) > 3:
        services.cancel_with_credit_note(acting_user=nadia, invoice=transmitted[3],
                                         reason="Erreur de cotation : facture refaite")
    return {"invoices": Invoice.objects.count(), "drafts": len(keep_draft)}


def seed(stdout=None) -> dict:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)  # last week
    if Visit.objects.filter(slot=SLOT, date__gte=monday).exists():
        return {}
    users = {u.username: u for u in User.objects.filter(
        username__in=("claire", "marc", "sophie", "julie", "nadia"))}
    if len(users) < 5:
        return {}
    # Three months of history first, so that numbers follow dates (FAC-3).
    try:
        demo_payments.seed(users, stdout=stdout)
    except (InvoiceError, PaymentError) as exc:  # pragma: no cover - never stop the seed
        if stdout is not None:
            stdout.write(f"Paiements de démonstration non créés : {exc}")
    seances = _passages(monday, users)
    errors, warnings = _findings(monday, users)
    try:
        result = _invoices(seances, warnings, users["nadia"], users["claire"])
    except InvoiceError as exc:  # pragma: no cover - demo data must never stop the seed
        result = {"error": exc.message}
    if stdout is not None:
        stdout.write(f"Facturation : {len(seances) + len(errors) + len(warnings)} séances de la "
                     f"semaine du {monday:%d/%m/%Y}, {result.get('invoices', 0)} factures.")
    return result
