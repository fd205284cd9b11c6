from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import audit
from . import two_factor as totp
from .access import any_role, public
from .forms import LockingAuthenticationForm, TotpCodeForm, TotpDisableForm
from .middleware import OTP_SESSION_KEY
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


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


@any_role
def two_factor(request: HttpRequest) -> HttpResponse:
    """S-AUTH-2: turn the TOTP second factor on (scan, then confirm a code) or off."""
    user = request.user
    if user.totp_enabled:
        form = TotpDisableForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            if settings.TWO_FACTOR_REQUIRED:
                messages.error(request, "La double authentification est obligatoire dans ce cabinet.")
                return redirect("two_factor")
            user.totp_enabled = False
            user.totp_secret = ""
            user.save(update_fields=["totp_enabled", "totp_secret"])
            audit.record(actor=user, action="two_factor_disabled", obj=user, view="two_factor")
            messages.success(request, "Double authentification désactivée.")
            return redirect("two_factor")
        return render(request, "core/two_factor.html", {"form": form, "enabled": True})

    secret = request.session.get("totp_pending") or totp.new_secret()
    request.session["totp_pending"] = secret
    form = TotpCodeForm(request.POST or None, secret=secret)
    if request.method == "POST" and form.is_valid():
        user.totp_secret = secret
        user.totp_enabled = True
        user.save(update_fields=["totp_secret", "totp_enabled"])
        del request.session["totp_pending"]
        request.session[OTP_SESSION_KEY] = True
        audit.record(actor=user, action="two_factor_enabled", obj=user, view="two_factor")
        messages.success(request, "Double authentification activée.")
        return redirect(_safe_next(request))
    uri = totp.provisioning_uri(user, secret)
    return render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "enabled": False,
            "qr_svg": totp.qr_svg(uri),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": settings.TWO_FACTOR_REQUIRED,
            "next": _safe_next(request),
        },
    )


@any_role
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login for a user with a TOTP second factor."""
    user = request.user
    if not user.totp_enabled:
        return redirect("two_factor")
    form = TotpCodeForm(request.POST or None, secret=user.totp_secret)
    if request.method == "POST":
        if form.is_valid():
            request.session.cycle_key()
            request.session[OTP_SESSION_KEY] = True
            if user.failed_logins:
                user.failed_logins = 0
                user.save(update_fields=["failed_logins"])
            return redirect(_safe_next(request))
        # Wrong codes count like wrong passwords (S-AUTH-3).
        LockingAuthenticationForm._count_failure(user)
        if user.is_locked():
            logout(request)
            messages.error(request, "Trop de codes incorrects : compte verrouillé temporairement.")
            return redirect("login")
    return render(request, "core/two_factor_verify.html", {"form": form, "next": _safe_next(request)})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
