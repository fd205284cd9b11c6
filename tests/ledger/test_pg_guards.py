"""LED-1, PAY-1, S-DATA-1: PostgreSQL itself refuses to change or delete a
recorded payment, an allocation or a reject — bulk statements included; only
the one-time cancellation of a payment goes through."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from billing.payments import services

from .helpers import pay, validated_invoice

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")]


def test_led_1_postgresql_refuses_editing_or_deleting_payments(personas):
    from datetime import date

    invoice = validated_invoice(personas.claire, by=personas.nadia)
    payment = pay(invoice, by=personas.nadia, amount="1.00")
    reject = services.record_reject(acting_user=personas.nadia, invoice=invoice,
                                    payer_kind="amo", rejected_on=date(2026, 6, 21),
                                    reason="test")
    for statement, value in (
        ("UPDATE billing_payment SET amount = 99 WHERE id = %s", payment.pk),
        ("UPDATE billing_payment SET received_on = '2026-01-01' WHERE id = %s", payment.pk),
        ("DELETE FROM billing_payment WHERE id = %s", payment.pk),
        ("UPDATE billing_allocation SET amount = 0.5 WHERE payment_id = %s", payment.pk),
        ("DELETE FROM billing_allocation WHERE payment_id = %s", payment.pk),
        ("UPDATE billing_reject SET reason = 'x' WHERE id = %s", reject.pk),
        ("DELETE FROM billing_reject WHERE id = %s", reject.pk),
    ):
        with pytest.raises(Exception, match="refusée"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [value])
    for table in ("billing_payment", "billing_allocation", "billing_reject"):
        with pytest.raises(Exception, match="TRUNCATE|truncate"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cabinet.allow_truncate = 'off'")
                cursor.execute(f"TRUNCATE {table} CASCADE")
    services.cancel_payment(acting_user=personas.nadia, payment=payment, reason="erreur")
    with pytest.raises(Exception, match="refusée"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE billing_payment SET cancelled_at = NULL WHERE id = %s",
                           [payment.pk])
