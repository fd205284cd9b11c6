import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from core import audit
from core.models import AuditEvent


def test_s_trace_3_audit_rows_cannot_be_changed(personas):
    event = audit.record(actor=personas.claire, action="view", view="test")
    event.action = "edit"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_s_trace_3_database_refuses_updates_on_postgresql(personas):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    audit.record(actor=personas.claire, action="view", view="test")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="x")
