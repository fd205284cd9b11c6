"""S-AUTHZ-1/2/3 and S-TRACE-2: roles change only through `core.roles`, with
an audit row, and a grant of patient access asked by the administrator waits
for a titulaire's confirmation. The probe gave itself the titulaire role by
POSTing role=titulaire on the Django admin's user form, unaudited."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import roles
from core.models import AuditEvent, Role, RoleChange, RoleChangeStatus, User


def _admin_form_post(client, user: User, **changes) -> int:
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "rpps": user.rpps, "phone": user.phone, "is_active": "on",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "01/01/2025",
        "date_joined_1": "00:00:00",
    }
    data.update(changes)
    url = reverse("admin:core_user_change", args=[user.pk])
    return client.post(url, data).status_code


def test_s_authz_3_django_admin_cannot_change_a_role(personas):
    admin_user = personas.admin
    client = personas.client("admin")
    _admin_form_post(client, admin_user, role=Role.TITULAIRE, is_superuser="on", is_staff="on")
    _admin_form_post(client, personas.nadia, role=Role.TITULAIRE)
    admin_user.refresh_from_db()
    personas.nadia.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert personas.nadia.role == Role.SECRETAIRE
    # The clinical notes stay closed to the administrator.
    from tests.cabinet.helpers import claire_patient

    patient = claire_patient()
    response = client.get(reverse("cabinet:patient_detail", kwargs={"pk": patient.pk}))
    assert response.status_code in (403, 404)
    # The admin cannot add accounts with a role either.
    assert client.get(reverse("admin:core_user_add")).status_code == 403


def test_s_authz_3_grant_by_the_administrator_waits_for_a_titulaire(
    personas, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    client = personas.client("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts"), {
            "form": "role", "user": personas.nadia.pk, "role": Role.TITULAIRE})
    assert response.status_code == 302
    personas.nadia.refresh_from_db()
    assert personas.nadia.role == Role.SECRETAIRE
    change = RoleChange.objects.get(user=personas.nadia, status=RoleChangeStatus.PENDING)
    request_row = AuditEvent.objects.get(action="role.request", object_id=str(personas.nadia.pk))
    assert request_row.actor == personas.admin
    assert request_row.detail["to_role"] == Role.TITULAIRE
    # Every titulaire with an address is alerted (after the commit).
    assert mail.outbox and personas.claire.email in mail.outbox[0].to

    # A titulaire confirms; the role applies and the confirmation is audited.
    response = personas.client("claire").post(
        reverse("role_change_decide", kwargs={"pk": change.pk}), {"decision": "accept"})
    assert response.status_code == 302
    personas.nadia.refresh_from_db()
    assert personas.nadia.role == Role.TITULAIRE
    confirm = AuditEvent.objects.get(action="role.confirm", object_id=str(personas.nadia.pk))
    assert confirm.actor == personas.claire


def test_s_authz_3_nobody_changes_their_own_role(personas):
    with pytest.raises(ValidationError):
        roles.request_role_change(
            acting_user=personas.admin, user=personas.admin, role=Role.TITULAIRE)
    assert personas.client("admin").post(reverse("accounts"), {
        "form": "role", "user": personas.admin.pk, "role": Role.TITULAIRE}).status_code == 200
    personas.admin.refresh_from_db()
    assert personas.admin.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action="role.change").exists()


def test_s_authz_3_requester_and_owner_cannot_confirm(personas):
    change = roles.request_role_change(
        acting_user=personas.admin, user=personas.julie, role=Role.TITULAIRE)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied for a non-titulaire
        roles.decide_role_change(acting_user=personas.admin, change=change, accept=True)
    # julie is not a titulaire yet: refused; a titulaire who asked is refused too.
    with pytest.raises(Exception):  # noqa: B017
        roles.decide_role_change(acting_user=personas.julie, change=change, accept=True)
    own = roles.request_role_change(
        acting_user=personas.claire, user=personas.admin, role=Role.SECRETAIRE)
    assert own.status == RoleChangeStatus.APPLIED


def test_s_authz_3_revocation_and_titulaire_grants_apply_at_once(personas):
    change = roles.request_role_change(
        acting_user=personas.admin, user=personas.nadia, role=Role.ADMIN)
    assert change.status == RoleChangeStatus.APPLIED
    change = roles.request_role_change(
        acting_user=personas.claire, user=personas.nadia, role=Role.SECRETAIRE)
    assert change.status == RoleChangeStatus.APPLIED
    assert AuditEvent.objects.filter(action="role.change").count() == 2


def test_s_authz_3_account_created_by_the_administrator_opens_on_confirmation(personas):
    client = personas.client("admin")
    response = client.post(reverse("accounts"), {
        "form": "create", "username": "lea", "first_name": "Léa", "last_name": "Roux",
        "email": "", "role": Role.SECRETAIRE})
    assert response.status_code == 302
    lea = User.objects.get(username="lea")
    assert not lea.is_active and lea.role == Role.ADMIN
    change = RoleChange.objects.get(user=lea)
    roles.decide_role_change(acting_user=personas.marc, change=change, accept=True)
    lea.refresh_from_db()
    assert lea.is_active and lea.role == Role.SECRETAIRE
