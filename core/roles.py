"""Changing a user's role: the only way roles change (S-AUTHZ-1..3, S-TRACE-2).

The administrator manages accounts but is not allowed patient data: a role
that opens patient records (titulaire, remplaçant, secrétaire) given by
someone other than a titulaire waits for a titulaire to confirm it, and every
titulaire is alerted. Nobody changes their own role. Each step writes its
audit row in the same transaction; the alert is sent after the commit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import audit
from .models import Role, RoleChange, RoleChangeStatus, User

logger = logging.getLogger(__name__)

# Roles that open patient records (administrative or clinical).
PATIENT_ACCESS_ROLES = frozenset({Role.TITULAIRE, Role.REMPLACANT, Role.SECRETAIRE})
MANAGERS = frozenset({Role.ADMIN, Role.TITULAIRE})


def grants_patient_access(from_role: str, to_role: str) -> bool:
    """A move to a role that sees more patient data than before."""
    rank = {Role.ADMIN: 0, Role.SECRETAIRE: 1, Role.REMPLACANT: 2, Role.TITULAIRE: 3}
    return to_role in PATIENT_ACCESS_ROLES and rank[Role(to_role)] > rank[Role(from_role)]


def _alert_titulaires(change: RoleChange) -> None:
    recipients = list(
        User.objects.filter(role=Role.TITULAIRE, is_active=True)
        .exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return
    subject = f"[{settings.CABINET_NAME}] Changement de rôle à confirmer"
    body = (
        f"{change.requested_by} demande que le compte « {change.user.username} » passe du rôle "
        f"{change.get_from_role_display()} au rôle {change.get_to_role_display()}.\n"
        "Ce rôle donne accès aux dossiers des patients : il ne sera appliqué qu'après la "
        "confirmation d'un(e) infirmier(ère) titulaire, sur la page « Comptes et rôles »."
    )
    try:
        send_mail(subject, body, None, recipients)
    except OSError:
        # The change stays pending and visible on the page; a mail server
        # outage must not undo it.
        logger.exception("role change %s: alert to the titulaires not sent", change.pk)


def _apply(change: RoleChange, *, decided_by: User) -> None:
    user = User.objects.select_for_update().get(pk=change.user_id)
    user.role = change.to_role
    fields = ["role"]
    if not user.is_active and not user.last_login and change.from_role == Role.ADMIN:
        # An account created pending this confirmation opens now.
        user.is_active = True
        fields.append("is_active")
    user.save(update_fields=fields)
    change.status = RoleChangeStatus.APPLIED
    change.decided_by = decided_by
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def request_role_change(*, acting_user: User, user: User, role: str) -> RoleChange:
    if acting_user.role not in MANAGERS:
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError("Rôle inconnu.")
    if user.pk == acting_user.pk:
        raise ValidationError("Personne ne peut changer son propre rôle.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        raise ValidationError("Ce compte a déjà ce rôle.")
    if RoleChange.objects.filter(user=user, status=RoleChangeStatus.PENDING).exists():
        raise ValidationError("Un changement de rôle de ce compte attend déjà une confirmation.")
    change = RoleChange.objects.create(
        user=user, from_role=user.role, to_role=role, requested_by=acting_user
    )
    needs_confirmation = (
        grants_patient_access(user.role, role) and acting_user.role != Role.TITULAIRE
    )
    if needs_confirmation:
        audit.record(actor=acting_user, action="role.request", obj=user,
                     from_role=change.from_role, to_role=change.to_role, change=change.pk)
        transaction.on_commit(lambda: _alert_titulaires(change))
    else:
        _apply(change, decided_by=acting_user)
        audit.record(actor=acting_user, action="role.change", obj=user,
                     from_role=change.from_role, to_role=change.to_role, change=change.pk)
    return change


@transaction.atomic
def decide_role_change(*, acting_user: User, change: RoleChange, accept: bool) -> RoleChange:
    """A titulaire other than the requester and the account's owner confirms
    or refuses a pending grant."""
    if acting_user.role != Role.TITULAIRE:
        raise PermissionDenied
    change = RoleChange.objects.select_for_update().get(pk=change.pk)
    if change.status != RoleChangeStatus.PENDING:
        raise ValidationError("Ce changement de rôle a déjà été décidé.")
    if acting_user.pk in (change.requested_by_id, change.user_id):
        raise ValidationError("Ce changement doit être confirmé par un(e) autre titulaire.")
    if accept:
        _apply(change, decided_by=acting_user)
    else:
        change.status = RoleChangeStatus.REFUSED
        change.decided_by = acting_user
        change.decided_at = timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(actor=acting_user, action="role.confirm" if accept else "role.refuse",
                 obj=change.user, from_role=change.from_role, to_role=change.to_role,
                 change=change.pk)
    return change


@transaction.atomic
def create_account(*, acting_user: User, username: str, first_name: str, last_name: str,
                   email: str, role: str) -> tuple[User, RoleChange | None, str]:
    """A new account. Created by a titulaire, it has its role at once; created
    by the administrator with a role that opens patient records, it stays
    inactive (least access) until a titulaire confirms the role."""
    if acting_user.role not in MANAGERS:
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError("Rôle inconnu.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("Cet identifiant est déjà pris.")
    pending = role in PATIENT_ACCESS_ROLES and acting_user.role != Role.TITULAIRE
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email,
        role=Role.ADMIN if pending else role, is_active=not pending,
    )
    # A first password shown once to the creator; the user changes it.
    password = get_random_string(14, "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679")
    user.set_password(password)
    user.save()
    audit.record(actor=acting_user, action="account.create", obj=user,
                 to_role=role, fields=["username", "first_name", "last_name", "email"])
    change = None
    if pending:
        change = RoleChange.objects.create(
            user=user, from_role=Role.ADMIN, to_role=role, requested_by=acting_user
        )
        audit.record(actor=acting_user, action="role.request", obj=user,
                     from_role=change.from_role, to_role=role, change=change.pk)
        transaction.on_commit(lambda: _alert_titulaires(change))
    return user, change, password
