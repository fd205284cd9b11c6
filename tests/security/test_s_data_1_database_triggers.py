"""S-DATA-1 and S-TRACE-3 below the application: on PostgreSQL the database
itself refuses changing or deleting an invoiced séance, a ready document
(even through a bulk queryset update/delete, which skips the model's guards),
the audit trail and the version history, TRUNCATE included. Run with
DATABASE_URL on PostgreSQL (CI does)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from billing.invoicing import services as invoicing
from billing.models import Seance, SeanceLine
from core import audit
from core.models import AuditEvent, RecordVersion
from documents.models import GeneratedDocument, Status
from tests.billing.invoice_helpers import clean_seance

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="triggers are PostgreSQL's (run with DATABASE_URL)"
)


def refused(action) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        action()


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def truncate_refused(table: str) -> None:
    # The test database allows TRUNCATE for the test runner; this
    # transaction takes that back, as every production database has it.
    def action():
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check pending in the test's transaction
        sql("SET LOCAL cabinet.allow_truncate = 'off'")
        sql(f"TRUNCATE {table} CASCADE")
    with pytest.raises(DatabaseError, match="TRUNCATE refusé"), transaction.atomic():
        action()


def test_s_data_1_invoiced_seance_refused_by_the_database(personas):
    seance = clean_seance(personas.claire)
    [invoice] = invoicing.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    invoicing.validate_invoice(acting_user=personas.nadia, invoice=invoice)
    seance.refresh_from_db()
    assert seance.invoiced_at is not None
    refused(lambda: Seance.objects.filter(pk=seance.pk).update(total=0))
    refused(lambda: Seance.objects.filter(pk=seance.pk).update(invoiced_at=None))
    refused(lambda: Seance.objects.filter(pk=seance.pk).delete())
    refused(lambda: SeanceLine.objects.filter(seance=seance).update(amount=0))
    refused(lambda: SeanceLine.objects.filter(seance=seance).delete())
    seance.total = 0
    refused(lambda: seance.save())
    truncate_refused("billing_seance")
    # The review flag still moves (a visit changed after invoicing).
    Seance.objects.filter(pk=seance.pk).update(changed_after_invoice=True)


def test_s_data_1_draft_deleted_frees_its_seances(personas):
    seance = clean_seance(personas.claire)
    [invoice] = invoicing.create_invoices(acting_user=personas.nadia, seance_ids=[seance.pk])
    invoicing.delete_draft(acting_user=personas.nadia, invoice=invoice)
    seance.refresh_from_db()
    assert seance.invoiced_at is None
    Seance.objects.filter(pk=seance.pk).update(total=seance.total)


def _ready_document(user) -> GeneratedDocument:
    from tests.documents.helpers import demo_document

    document = demo_document(user)
    assert document.status == Status.READY
    return document


def test_s_data_1_ready_document_refused_under_bulk_update_and_delete(personas):
    document = _ready_document(personas.nadia)
    qs = GeneratedDocument.objects.filter(pk=document.pk)
    refused(lambda: qs.update(sha256="0" * 64))
    refused(lambda: qs.update(status=Status.FAILED))
    refused(lambda: qs.update(context={"forged": True}))
    refused(lambda: qs.delete())
    truncate_refused("documents_generateddocument")
    assert GeneratedDocument.objects.get(pk=document.pk).sha256 == document.sha256


def test_s_trace_3_audit_trail_refuses_truncate_and_version_history_is_append_only(personas):
    event = audit.record(actor=personas.claire, action="test", obj=personas.claire,
                         answer="valeur clinique")
    version = RecordVersion.objects.get(event=event)
    truncate_refused("core_auditevent")
    truncate_refused("core_recordversion")
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(lambda: RecordVersion.objects.filter(pk=version.pk).update(values={}))
    refused(lambda: RecordVersion.objects.filter(pk=version.pk).delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()
