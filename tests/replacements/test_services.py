"""Contract lifecycle, immutability (R-REPL-38, also in PostgreSQL), hand-over of visits
(R-REPL-1/40/42) and the rétrocession reconciled with the séances (R-RETRO-1…5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from billing.models import Seance
from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from cabinet.services import visit_outcome
from core.models import AuditEvent
from replacements import selectors, services, statements
from replacements.models import Contract, ContractStatus, RetrocessionPayment

from .conftest import MONTH, aware, make_contract, make_seances


def test_draft_then_signature_then_transmission_then_end(parties):
    tit, rem = parties
    contract = make_contract(tit, rem, sign=False)
    assert contract.status == ContractStatus.DRAFT and contract.row_version == 1
    contract.motif = "maladie"
    services.save_contract(acting_user=tit, contract=contract, expected_version=1)
    assert contract.row_version == 2
    moment = aware(MONTH - dt.timedelta(days=3), 9)
    services.sign_contract(acting_user=tit, contract=contract, signed_by_titulaire_at=moment,
                           signed_by_remplacant_at=moment, sworn_titulaire=True, sworn_remplacant=True,
                           expected_version=2)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    assert contract.remplacant_installed_at_signature is False
    services.record_transmission(acting_user=tit, contract=contract, sent_to_cdoi_titulaire_on=MONTH,
                                 expected_version=contract.row_version)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    services.record_transmission(acting_user=tit, contract=contract, sent_to_cdoi_remplacant_on=MONTH,
                                 expected_version=contract.row_version)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TRANSMITTED
    services.close_contract(acting_user=tit, contract=contract, terminate=False, on=dt.date(2026, 3, 31),
                            expected_version=contract.row_version)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ENDED
    actions = set(AuditEvent.objects.filter(object_id=str(contract.pk)).values_list("action", flat=True))
    assert {"contract.create", "contract.update", "contract.sign", "contract.transmission", "contract.end"} <= actions


def test_signature_refused_with_rule_ids_when_outside_unavailability(parties):
    tit, rem = parties
    contract = make_contract(tit, rem, sign=False)
    contract.end_at = aware(MONTH + dt.timedelta(days=40))
    services.save_contract(acting_user=tit, contract=contract, expected_version=contract.row_version)
    moment = aware(MONTH - dt.timedelta(days=3), 9)
    with pytest.raises(services.ReplacementError) as exc:
        services.sign_contract(acting_user=tit, contract=contract, signed_by_titulaire_at=moment,
                               signed_by_remplacant_at=moment, sworn_titulaire=True, sworn_remplacant=True,
                               expected_version=contract.row_version)
    assert "R-REPL-3" in {f.rule for f in exc.value.findings}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_signature_refused_for_a_third_simultaneous_titulaire(parties, django_user_model):
    tit, rem = parties
    make_contract(tit, rem)
    for name in ("t2", "t3"):
        other = django_user_model.objects.create_user(name, role="titulaire", password="x")
        contract = make_contract(other, rem, sign=False)
        moment = aware(MONTH - dt.timedelta(days=3), 9)
        call = dict(acting_user=other, contract=contract, signed_by_titulaire_at=moment,
                    signed_by_remplacant_at=moment, sworn_titulaire=True, sworn_remplacant=True,
                    expected_version=contract.row_version)
        if name == "t2":
            services.sign_contract(**call)
        else:
            with pytest.raises(services.ReplacementError) as exc:
                services.sign_contract(**call)
            assert "R-REPL-13" in {f.rule for f in exc.value.findings}


def test_signed_contract_never_edited_only_avenant(contract):
    contract.motif = "autre"
    with pytest.raises(services.ReplacementError, match="avenant"):
        services.save_contract(acting_user=contract.titulaire, contract=contract,
                               expected_version=contract.row_version)
    with pytest.raises(services.ReplacementError):
        services.delete_draft(acting_user=contract.titulaire, contract=contract)
    avenant = services.create_avenant(acting_user=contract.titulaire, contract=Contract.objects.get(pk=contract.pk))
    assert avenant.parent_id == contract.pk and avenant.status == ContractStatus.DRAFT
    assert avenant.signed_by_titulaire_at is None and avenant.motif == "congés"


def test_stale_form_refused(parties):
    tit, rem = parties
    contract = make_contract(tit, rem, sign=False)
    stale = Contract.objects.get(pk=contract.pk)
    contract.motif = "a"
    services.save_contract(acting_user=tit, contract=contract, expected_version=1)
    stale.motif = "b"
    with pytest.raises(services.ConcurrentEditError):
        services.save_contract(acting_user=tit, contract=stale, expected_version=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_r_repl_38_postgresql_trigger_refuses_editing_a_signed_contract(contract):
    for change in ({"motif": "falsifié"}, {"cabinet_share_percent": Decimal(50)}, {"status": "brouillon"}):
        with pytest.raises(DatabaseError, match="R-REPL-38"), transaction.atomic():
            Contract.objects.filter(pk=contract.pk).update(**change)
    with pytest.raises(DatabaseError, match="R-REPL-38"), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).delete()
    # The lifecycle columns stay writable.
    Contract.objects.filter(pk=contract.pk).update(sent_to_cpam_on=MONTH)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_trigger_lets_a_draft_change(parties):
    contract = make_contract(*parties, sign=False)
    Contract.objects.filter(pk=contract.pk).update(motif="maladie")
    Contract.objects.filter(pk=contract.pk).delete()


def _future_contract(tit, rem, days_ahead=1, days=5):
    from django.utils import timezone

    start = timezone.localdate() + dt.timedelta(days=days_ahead)
    return start, make_contract(tit, rem, start=start, days=days, sign=False)


def test_signature_hands_titulaire_visits_over_billed_under_her_name(parties):
    tit, rem = parties
    start, contract = _future_contract(tit, rem)
    template = Visit.objects.exclude(acts=[]).select_related("patient").filter(patient__latitude__isnull=False).first()
    inside = Visit.objects.create(patient=template.patient, nurse=tit, date=start + dt.timedelta(days=1),
                                  window_start=dt.time(8), window_end=dt.time(9), acts=template.acts)
    outside = Visit.objects.create(patient=template.patient, nurse=tit, date=start + dt.timedelta(days=10),
                                   window_start=dt.time(8), window_end=dt.time(9), acts=template.acts)
    result, visits = selectors.check(contract)
    assert "R-REPL-5" in {f.rule for f in result.violations} and inside in visits
    moment = aware(start - dt.timedelta(days=3), 9)
    handed = services.sign_contract(acting_user=tit, contract=contract, signed_by_titulaire_at=moment,
                                    signed_by_remplacant_at=moment, sworn_titulaire=True, sworn_remplacant=True,
                                    expected_version=contract.row_version)
    assert handed.moved == [inside.pk]
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.nurse_id, inside.on_behalf_of_id) == (rem.pk, tit.pk)
    assert inside.tournee.nurse_id == rem.pk
    assert (outside.nurse_id, outside.on_behalf_of_id) == (tit.pk, None)
    # R-REPL-40 / R-REPL-42: done by the remplaçante, billed under the titulaire.
    visit_outcome.mark_done(acting_user=rem, visit=inside)
    seance = Seance.objects.get(visit=inside)
    assert (seance.nurse_id, seance.performed_by_id) == (tit.pk, rem.pk)
    assert seance.total > 0
    # Early termination gives the remaining visits back.
    later = Visit.objects.create(patient=template.patient, nurse=tit, date=start + dt.timedelta(days=3),
                                 window_start=dt.time(8), window_end=dt.time(9), acts=template.acts)
    services.hand_over_visits(acting_user=tit, contract=contract)
    later.refresh_from_db()
    assert later.nurse_id == rem.pk
    contract.refresh_from_db()
    services.close_contract(acting_user=tit, contract=contract, terminate=True, on=start + dt.timedelta(days=1),
                            reason="retour anticipé", expected_version=contract.row_version)
    later.refresh_from_db()
    assert (later.nurse_id, later.on_behalf_of_id, later.status) == (tit.pk, None, VisitStatus.PLANNED)


def test_retrocession_reconciles_to_the_cent_with_the_seances(contract):
    tit, rem = contract.titulaire, contract.remplacant
    make_seances(tit, rem, 61)
    start, end = statements.month_bounds(2026, 3)
    st = statements.contract_statement(contract, start, end)
    assert st.seances == 61
    assert st.totals.fees == Decimal("768.60") and st.totals.travel == Decimal("167.75")
    assert st.totals.fees + st.totals.travel == statements.seances_total(contract, start, end)
    # R-RETRO-2: 768.60 × 10 % = 76.86; travel to the remplaçante (0 %).
    assert st.totals.retained == Decimal("76.86")
    assert st.totals.retrocession == Decimal("859.49")
    assert sum(d["fees"] for d in st.by_day()) == st.totals.fees
    assert sum(p["travel"] for p in st.by_patient()) == st.totals.travel
    services.record_payment(acting_user=tit, payment=RetrocessionPayment(
        contract=contract, month=start, paid_on=dt.date(2026, 4, 8), amount=Decimal("800.00")))
    st = statements.contract_statement(contract, start, end)
    assert st.paid == Decimal("800.00") and st.balance == Decimal("59.49")


def test_statement_ignores_acts_of_others_and_outside_the_contract(contract, django_user_model):
    tit, rem = contract.titulaire, contract.remplacant
    make_seances(tit, rem, 3)
    make_seances(tit, rem, 2, start=dt.date(2026, 4, 2), days=1)  # after the contract
    make_seances(tit, tit, 2)  # the titulaire's own
    start, end = statements.month_bounds(2026, 3)
    assert statements.contract_statement(contract, start, end).seances == 3
    assert statements.contract_statement(contract, dt.date(2026, 4, 1), dt.date(2026, 4, 30)).seances == 0


def test_r_retro_3_monthly_cap_in_the_statement(parties):
    tit, rem = parties
    contract = make_contract(tit, rem, monthly_cap=Decimal("50.00"))
    make_seances(tit, rem, 61)
    st = statements.contract_statement(contract, *statements.month_bounds(2026, 3))
    assert st.totals.retained == Decimal("50.00") and st.totals.capped


def test_r_retro_6_year_to_date_counts_payments_when_cashed(contract):
    services.record_payment(acting_user=contract.titulaire, payment=RetrocessionPayment(
        contract=contract, month=MONTH, paid_on=dt.date(2026, 4, 8), amount=Decimal("1000.00")))
    ytd = statements.year_to_date(contract.remplacant_id, 2026, dt.date(2026, 12, 31))
    assert ytd.received == Decimal("1000.00") and ytd.threshold == Decimal("83600")


def test_r_repl_43_access_window_of_the_replaced_titulaire(contract, settings):
    settings.REPLACEMENT_ACCESS_MARGIN_DAYS = 3
    rem = contract.remplacant
    assert selectors.replaced_titulaire_ids(rem, dt.date(2026, 3, 15)) == [contract.titulaire_id]
    assert selectors.replaced_titulaire_ids(rem, dt.date(2026, 4, 3)) == [contract.titulaire_id]
    assert selectors.replaced_titulaire_ids(rem, dt.date(2026, 4, 4)) == []
    assert selectors.replaced_titulaire_ids(rem, dt.date(2026, 2, 25)) == []
    assert selectors.replaced_titulaire_ids(contract.titulaire, dt.date(2026, 3, 15)) == []


def test_r_repl_43_replaced_patients_visible_only_during_the_contract_and_margin(parties, settings):
    from django.utils import timezone

    from cabinet.models import Patient
    from cabinet.selectors.patients import patients_visible_to

    settings.REPLACEMENT_ACCESS_MARGIN_DAYS = 3
    tit, rem = parties
    old, recent = Patient.objects.order_by("pk")[:2]
    today = timezone.localdate()
    for patient, days_ago in ((old, 4), (recent, 3)):
        Visit.objects.create(patient=patient, nurse=rem, on_behalf_of=tit, date=today - dt.timedelta(days=days_ago),
                             window_start=dt.time(8), window_end=dt.time(9), status=VisitStatus.DONE)
    visible = set(patients_visible_to(rem))
    assert recent in visible and old not in visible


def _rejected_invoice(tit, seances, settled_on):
    from django.utils import timezone

    from billing.models.invoices import Invoice, InvoiceLine

    # Lines go on a draft (a validated invoice's lines are frozen, FAC-4), then it is
    # validated and rejected by the payer.
    invoice = Invoice.objects.create(patient=seances[0].patient, nurse=tit, created_by=tit)
    position = 0
    for s in seances:
        for line in s.lines.all():
            InvoiceLine.objects.create(invoice=invoice, seance=s, position=position, date=s.date, code=line.code,
                                       rate=line.rate, unit_value=line.unit_value, amount=line.amount,
                                       tariff_date=line.tariff_date, amo_rate=line.amo_rate, amo=line.amo)
            position += 1
    Invoice.objects.filter(pk=invoice.pk).update(status="validee", sequence=1, number="F-1",
                                                 validated_at=timezone.now(), validated_by=tit)
    Invoice.objects.filter(pk=invoice.pk).update(status="transmise", transmitted_at=timezone.now())
    Invoice.objects.filter(pk=invoice.pk).update(
        status="rejetee", settled_at=timezone.make_aware(dt.datetime.combine(settled_on, dt.time(10))))
    return invoice


def test_r_retro_5_rejection_reduces_the_month_it_is_recorded_with_collected_basis(parties):
    tit, rem = parties
    contract = make_contract(tit, rem, basis="collected")
    seances = make_seances(tit, rem, 10)
    _rejected_invoice(tit, seances[:2], dt.date(2026, 3, 20))
    march = statements.contract_statement(contract, *statements.month_bounds(2026, 3))
    # 10 × 12.60 − 2 × 12.60 = 100.80 of care; 8 × 2.75 = 22.00 of travel.
    assert march.totals.fees == Decimal("100.80") and march.totals.travel == Decimal("22.00")
    assert any(p["patient"] == statements.REJECTS_LABEL for p in march.by_patient())
    assert march.seances == 10


def test_r_retro_5_billed_basis_ignores_rejections(contract):
    seances = make_seances(contract.titulaire, contract.remplacant, 10)
    _rejected_invoice(contract.titulaire, seances[:2], dt.date(2026, 3, 20))
    march = statements.contract_statement(contract, *statements.month_bounds(2026, 3))
    assert march.totals.fees == Decimal("126.00")
