from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import any_role, public
from .forms import LockingAuthenticationForm
from .models import Cabinet
from .navigation import items_for

logger = logging.getLogger(__name__)


@any_role
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {"cabinet": Cabinet.current(), "shortcuts": items_for(request.user)},
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        logger.exception("health check: database unreachable")
        return False


def _broker_state() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception:  # noqa: BLE001
        logger.exception("health check: broker unreachable")
        return False, "unreachable"


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db_ok = _database_ok()
    broker_ok, broker = _broker_state()
    status = 200 if db_ok and broker_ok else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "database": "ok" if db_ok else "unreachable",
            "broker": broker,
        },
        status=status,
    )


login_view = public(
    auth_views.LoginView.as_view(
        template_name="registration/login.html",
        authentication_form=LockingAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout_view = any_role(auth_views.LogoutView.as_view())
password_change = any_role(
    auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done"))
)
password_change_done = any_role(auth_views.PasswordChangeDoneView.as_view())


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
