"""Invoices (FAC-1…6): creation from séances, split per coverage, the
lifecycle, numbering, the avoir and the audit gate before validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from billing.invoicing import services
from billing.invoicing.services import InvoiceError
from billing.models import Invoice, InvoiceKind, InvoiceStatus, Seance
from core.models import AuditEvent

from .invoice_helpers import DAY, clean_seance, make_patient, make_prescription, make_seance

pytestmark = pytest.mark.django_db


def test_fac_1_one_invoice_per_patient_and_billing_nurse(personas):
    p1, p2 = make_patient("Un"), make_patient("Deux")
    seances = [clean_seance(personas.claire, patient=p1),
               clean_seance(personas.claire, patient=p1, at="18:00"),
               clean_seance(personas.claire, patient=p2),
               clean_seance(personas.marc, patient=p2, at="15:00")]
    invoices = services.create_invoices(acting_user=personas.nadia,
                                        seance_ids=[s.pk for s in seances])
    assert sorted((i.patient_id, i.nurse_id, i.links.count()) for i in invoices) == sorted([
        (p1.pk, personas.claire.pk, 2), (p2.pk, personas.claire.pk, 1),
        (p2.pk, personas.marc.pk, 1)])
    assert all(i.status == InvoiceStatus.DRAFT and not i.number for i in invoices)
    assert Seance.objects.filter(pk__in=[s.pk for s in seances], invoiced_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="invoice.draft",
                                     object_id__in=[str(i.pk) for i in invoices]).count() == 3


def test_fac_1_remplacante_billed_under_the_titulaire_records_the_performer(personas):
    seance = clean_seance(personas.claire, performed_by=personas.julie)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    assert invoice.nurse == personas.claire
    assert invoice.snapshot["performers"][0]["id"] == personas.julie.pk


def test_fac_1_a_seance_is_invoiced_once(personas):
    seance = clean_seance(personas.claire)
    services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    with pytest.raises(InvoiceError):
        services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])


def test_fac_1_a_titulaire_invoices_only_her_own_seances(personas):
    seance = clean_seance(personas.marc)
    with pytest.raises(InvoiceError):
        services.create_invoices(acting_user=personas.claire, seance_ids=[seance.pk])
    with pytest.raises(InvoiceError):
        services.create_invoices(acting_user=personas.julie, seance_ids=[seance.pk])


def test_fac_2_prescriber_and_prescription_date_frozen_on_the_invoice(personas):
    seance = clean_seance(personas.claire)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    [prescription] = invoice.snapshot["prescriptions"]
    assert prescription["date"] == seance.prescription.date.isoformat()
    assert prescription["prescriber"]["rpps"] == seance.prescription.prescriber.rpps


def test_fac_5_lines_and_tariff_version_come_from_the_frozen_seance(personas):
    seance = clean_seance(personas.claire)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    assert [(ln.code, ln.coefficient, ln.rate, ln.amount) for ln in invoice.lines.all()] == [
        (ln.code, ln.coefficient, ln.rate, ln.amount) for ln in seance.lines.all()]
    assert invoice.total == seance.total
    assert invoice.tariff_versions == [seance.tariff_version.isoformat()]


def _split(personas, **patient_fields):
    patient = make_patient(**patient_fields)
    seance = clean_seance(personas.claire, patient=patient)  # AMI 2 + IFD = 9.05
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    return invoice


def test_fac_6_standard_patient_without_amc_pays_the_ticket_moderateur(personas):
    invoice = _split(personas)
    assert (invoice.total, invoice.amo, invoice.amc, invoice.patient_share) == (
        Decimal("9.05"), Decimal("5.43"), Decimal("0.00"), Decimal("3.62"))
    assert all("AMO-1" in ln.split_rules for ln in invoice.lines.all())


def test_fac_6_amc_with_tiers_payant_takes_the_ticket_moderateur(personas):
    invoice = _split(personas, amc_name="Mutuelle Test", amc_tiers_payant=True)
    assert (invoice.amo, invoice.amc, invoice.patient_share) == (
        Decimal("5.43"), Decimal("3.62"), Decimal("0.00"))
    no_tp = _split(personas, amc_name="Mutuelle Test", amc_tiers_payant=False)
    assert no_tp.patient_share == Decimal("3.62") and no_tp.amc == 0


def test_fac_6_c2s_leaves_nothing_to_the_patient(personas):
    invoice = _split(personas, c2s=True)
    assert (invoice.amo, invoice.amc, invoice.patient_share) == (
        Decimal("5.43"), Decimal("3.62"), Decimal("0.00"))
    assert all("AMO-4" in ln.split_rules for ln in invoice.lines.all())
    assert invoice.coverage["complementary_payer"] == "C2S"


def test_fac_6_maternite_and_at_mp_are_covered_in_full(personas):
    for exemption in ("maternite", "at_mp"):
        invoice = _split(personas, exemption=exemption, exemption_from=date(2026, 1, 1),
                         exemption_to=date(2026, 12, 31))
        assert (invoice.amo, invoice.patient_share) == (Decimal("9.05"), Decimal("0.00"))
        assert all("AMO-3" in ln.split_rules for ln in invoice.lines.all())
    outside = _split(personas, exemption="maternite", exemption_to=date(2026, 5, 1))
    assert outside.amo == Decimal("5.43")


def test_fac_6_ald_related_care_at_100_percent(personas):
    patient = make_patient()
    prescription = make_prescription(patient)
    seance = make_seance(patient, personas.claire, prescription=prescription, coverage="ald")
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    assert invoice.amo == invoice.total and invoice.patient_share == 0


def test_fac_3_and_fac_4_validation_numbers_per_nurse_in_order(personas):
    from django.db.models import Max

    def last(nurse):
        return Invoice.objects.filter(nurse=nurse).aggregate(m=Max("sequence"))["m"] or 0

    before_claire, before_marc = last(personas.claire), last(personas.marc)
    seances = [clean_seance(personas.claire), clean_seance(personas.claire),
               clean_seance(personas.marc)]
    invoices = services.create_invoices(acting_user=personas.nadia,
                                        seance_ids=[s.pk for s in seances])
    report = services.validate_invoices(acting_user=personas.nadia, invoices=invoices)
    assert not report.blocked
    ids = [i.pk for i in invoices]
    claire = sorted(Invoice.objects.filter(nurse=personas.claire, pk__in=ids)
                    .values_list("sequence", flat=True))
    marc = list(Invoice.objects.filter(nurse=personas.marc, pk__in=ids)
                .values_list("sequence", flat=True))
    assert claire == [before_claire + 1, before_claire + 2] and marc == [before_marc + 1]
    invoice = Invoice.objects.filter(nurse=personas.claire).get(sequence=before_claire + 2)
    assert invoice.status == InvoiceStatus.VALIDATED and invoice.validated_by == personas.nadia
    assert invoice.number.endswith(f"-{before_claire + 2:06d}")


def test_fac_4_validated_invoice_cannot_be_edited_or_deleted_by_services(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.claire).pk])
    invoice = services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    with pytest.raises(InvoiceError):
        services.delete_draft(acting_user=personas.nadia, invoice=invoice)
    with pytest.raises(InvoiceError):
        services.remove_seance(acting_user=personas.nadia, invoice=invoice,
                               seance_id=invoice.links.get().seance_id)
    with pytest.raises(InvoiceError):
        services.validate_invoice(acting_user=personas.nadia, invoice=invoice)


def test_fac_4_lifecycle_transitions(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.claire).pk])
    with pytest.raises(InvoiceError):
        services.set_status(acting_user=personas.nadia, invoice=invoice,
                            status=InvoiceStatus.PAID)
    services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    with pytest.raises(InvoiceError):
        services.set_status(acting_user=personas.nadia, invoice=invoice,
                            status=InvoiceStatus.PAID)
    services.set_status(acting_user=personas.nadia, invoice=invoice,
                        status=InvoiceStatus.TRANSMITTED)
    with pytest.raises(InvoiceError):
        services.set_status(acting_user=personas.nadia, invoice=invoice,
                            status=InvoiceStatus.REJECTED)  # needs a reason
    services.set_status(acting_user=personas.nadia, invoice=invoice,
                        status=InvoiceStatus.PARTIALLY_PAID)
    invoice = services.set_status(acting_user=personas.nadia, invoice=invoice,
                                  status=InvoiceStatus.PAID)
    assert invoice.status == InvoiceStatus.PAID and invoice.settled_at
    assert invoice.transmitted_at


def test_fac_4_avoir_cancels_in_full_and_frees_the_seances(personas):
    seance = clean_seance(personas.claire)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    invoice = services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    credit = services.cancel_with_credit_note(acting_user=personas.nadia, invoice=invoice,
                                              reason="Erreur de patient")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.number  # keeps its number
    assert credit.kind == InvoiceKind.CREDIT_NOTE and credit.total == -invoice.total
    assert credit.sequence == invoice.sequence + 1
    assert sum(ln.amount for ln in credit.lines.all()) == -invoice.total
    seance.refresh_from_db()
    assert seance.invoiced_at is None
    # … and the séance is invoiced again.
    [again] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    again = services.validate_invoice(acting_user=personas.nadia, invoice=again)
    assert again.sequence == credit.sequence + 1
    with pytest.raises(InvoiceError):
        services.cancel_with_credit_note(acting_user=personas.nadia, invoice=invoice,
                                         reason="deux fois")


def test_delete_draft_frees_the_seances(personas):
    seance = clean_seance(personas.claire)
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    services.delete_draft(acting_user=personas.nadia, invoice=invoice)
    seance.refresh_from_db()
    assert seance.invoiced_at is None and not Invoice.objects.filter(pk=invoice.pk).exists()


def test_aud_errors_block_validation(personas):
    patient = make_patient()
    seance = make_seance(patient, personas.claire, prescription=None)  # AUD-1
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    with pytest.raises(InvoiceError) as caught:
        services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    assert [f.rule for f in caught.value.findings] == ["AUD-1"]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DRAFT and invoice.sequence is None


def test_aud_warnings_need_an_acknowledgement_with_who_and_when(personas):
    patient = make_patient()
    prescription = make_prescription(patient, acts=(("AMI", 3),))
    seance = make_seance(patient, personas.claire, prescription=prescription)  # AUD-3
    [invoice] = services.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    with pytest.raises(InvoiceError) as caught:
        services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    [warning] = caught.value.findings
    assert warning.rule == "AUD-3" and not warning.is_error
    ack = services.acknowledge_warning(acting_user=personas.nadia, invoice=invoice,
                                       key=warning.key)
    assert ack.acknowledged_by == personas.nadia and ack.acknowledged_at
    invoice = services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    assert invoice.status == InvoiceStatus.VALIDATED


def test_remove_seance_from_a_draft_to_correct_it(personas):
    patient = make_patient()
    good = clean_seance(personas.claire, patient=patient)
    bad = make_seance(patient, personas.claire, prescription=None, at="17:00")
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[good.pk, bad.pk])
    invoice = services.remove_seance(acting_user=personas.nadia, invoice=invoice,
                                     seance_id=bad.pk)
    assert list(invoice.links.values_list("seance_id", flat=True)) == [good.pk]
    assert invoice.total == good.total
    bad.refresh_from_db()
    assert bad.invoiced_at is None
    services.validate_invoice(acting_user=personas.nadia, invoice=invoice)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_fac_4_postgresql_refuses_changing_or_deleting_a_validated_invoice(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.claire).pk])
    invoice = services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    for statement in (
        "UPDATE billing_invoice SET total = 1 WHERE id = %s",
        "UPDATE billing_invoice SET number = 'X' WHERE id = %s",
        "UPDATE billing_invoice SET status = 'brouillon' WHERE id = %s",
        "DELETE FROM billing_invoice WHERE id = %s",
        "UPDATE billing_invoiceline SET amount = 0 WHERE invoice_id = %s",
        "DELETE FROM billing_invoiceline WHERE invoice_id = %s",
        "DELETE FROM billing_invoiceseance WHERE invoice_id = %s",
    ):
        with pytest.raises(Exception, match="FAC-4"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [invoice.pk])
    # The lifecycle columns still move.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET status = 'transmise' WHERE id = %s",
                       [invoice.pk])


def test_fac_3_number_unique_per_nurse_in_the_database(personas):
    [a, b] = services.create_invoices(acting_user=personas.nadia, seance_ids=[
        clean_seance(personas.claire).pk, clean_seance(personas.claire).pk])
    services.validate_invoices(acting_user=personas.nadia, invoices=[a])
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=b.pk).update(sequence=1, status=InvoiceStatus.VALIDATED)
    assert DAY


def test_fac_4_validated_invoice_refused_by_the_orm_and_the_admin(personas):
    [invoice] = services.create_invoices(acting_user=personas.nadia,
                                         seance_ids=[clean_seance(personas.claire).pk])
    invoice = services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        invoice.delete()
    admin = personas.client("admin")
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    change = f"/admin/billing/invoice/{invoice.pk}/change/"
    response = admin.post(change, {"status": "brouillon"})
    assert response.status_code in (302, 403) or b"brouillon" not in response.content
    assert admin.post(f"/admin/billing/invoice/{invoice.pk}/delete/", {"post": "yes"}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.VALIDATED
