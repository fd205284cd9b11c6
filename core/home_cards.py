"""The administrator's home cards: the accounts and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .home import HomeCard, register_card
from .models import AuditEvent, Role, RoleChange, RoleChangeStatus

AUDIT_WINDOW_DAYS = 7


def accounts_card(user, today: date) -> dict:
    users = get_user_model().objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        **{f"role_{role.value}": Count("pk", filter=Q(is_active=True, role=role))
           for role in Role},
    )
    return {
        "active": users["active"],
        "inactive": users["inactive"],
        "by_role": [(role.label, users[f"role_{role.value}"]) for role in Role],
        "pending": RoleChange.objects.filter(status=RoleChangeStatus.PENDING).count(),
        "url": reverse("accounts"),
    }


def audit_card(user, today: date) -> dict:
    since = timezone.now() - timedelta(days=AUDIT_WINDOW_DAYS)
    events = AuditEvent.objects.filter(at__gte=since).aggregate(
        total=Count("pk"),
        reads=Count("pk", filter=Q(action__startswith="view")),
        logins_failed=Count("pk", filter=Q(action__in=("login_failed", "login_locked"))),
    )
    last = AuditEvent.objects.order_by("-at").values_list("at", flat=True).first()
    return {
        "days": AUDIT_WINDOW_DAYS,
        "total": events["total"],
        "reads": events["reads"],
        "logins_failed": events["logins_failed"],
        "last": last,
        "url": reverse("admin:core_auditevent_changelist"),
    }


def register() -> None:
    admin = frozenset({Role.ADMIN})
    register_card(HomeCard("accounts", admin, "core/home/accounts.html", accounts_card, order=10))
    register_card(HomeCard("audit", admin, "core/home/audit.html", audit_card, order=20))
