"""FAC-3 under concurrency, on the real database: validations running at the
same time in several threads (each its own connection and transaction) give
each billing nurse unique, gapless, chronological numbers."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from billing.invoicing import services
from billing.models import Invoice, InvoiceStatus

from .invoice_helpers import clean_seance

THREADS = 6
PER_THREAD = 3


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks need the real database (PostgreSQL)")
def test_fac_3_concurrent_validations_give_gapless_unique_numbers(transactional_demo):
    personas = transactional_demo
    before = {nurse.pk: Invoice.objects.filter(nurse=nurse).exclude(sequence=None).count()
              for nurse in (personas.claire, personas.marc)}
    seances = [clean_seance(personas.claire) for _ in range(THREADS * PER_THREAD)]
    seances += [clean_seance(personas.marc) for _ in range(THREADS)]
    drafts = services.create_invoices(acting_user=personas.nadia,
                                      seance_ids=[s.pk for s in seances])
    claire = [d for d in drafts if d.nurse_id == personas.claire.pk]
    marc = [d for d in drafts if d.nurse_id == personas.marc.pk]
    batches = [claire[i::THREADS] + marc[i:i + 1] for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def validate(batch):
        try:
            barrier.wait(timeout=30)
            for invoice in batch:  # one transaction per invoice, interleaved
                services.validate_invoice(acting_user=personas.nadia, invoice=invoice)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=validate, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    for nurse, count in ((personas.claire, THREADS * PER_THREAD), (personas.marc, THREADS)):
        rows = list(Invoice.objects.filter(nurse=nurse, pk__in=[d.pk for d in drafts],
                                           status=InvoiceStatus.VALIDATED)
                    .order_by("validated_at", "sequence").values_list("sequence", flat=True))
        first = before[nurse.pk] + 1  # after the demo's numbers
        assert sorted(rows) == list(range(first, first + count))  # unique, no gap
        assert rows == sorted(rows)  # chronological: numbered in validation order


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL")
def test_fac_3_a_rolled_back_validation_gives_its_number_back(transactional_demo):
    personas = transactional_demo
    numbered = Invoice.objects.filter(nurse=personas.sophie).exclude(sequence=None).count()
    first, second = services.create_invoices(
        acting_user=personas.nadia,
        seance_ids=[clean_seance(personas.sophie).pk, clean_seance(personas.sophie).pk])
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.validate_invoice(acting_user=personas.nadia, invoice=first)
        raise RuntimeError("the request failed after validating")
    services.validate_invoice(acting_user=personas.nadia, invoice=second)
    second.refresh_from_db()
    assert second.sequence == numbered + 1
