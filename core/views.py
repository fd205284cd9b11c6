from __future__ import annotations

import json
import logging

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views

from . import audit
from . import passkeys as passkey_service
from . import roles as roles_service
from . import two_factor as totp
from .access import any_role, public, roles
from .forms import (
    AccountCreateForm,
    CabinetAuthenticationForm,
    OtpCodeForm,
    OtpPasswordForm,
    PasskeyNameForm,
    RoleChangeForm,
)
from .home import cards_for
from .models import Cabinet, Role, RoleChange, RoleChangeStatus

logger = logging.getLogger(__name__)


@any_role
def home(request: HttpRequest) -> HttpResponse:
    """The home page of each role: the cards its apps registered
    (`core.home`), each figure linking to the list behind it."""
    today = timezone.localdate()
    return render(
        request,
        "core/home.html",
        {"cabinet": Cabinet.current(), "cards": cards_for(request.user, today), "today": today},
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


def _pages_render() -> bool:
    """Every HTML page, the error page included, is the base layout with its
    static files: render the error page as the server would. With static files
    collected without whitenoise's manifest (or an asset missing from it) this
    fails, as every page would, and the health check says so."""
    try:
        render_to_string("500.html")
        return True
    except Exception:  # noqa: BLE001 - any failure means pages cannot be served
        logger.exception("health check: pages cannot render")
        return False


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db_ok = _database_ok()
    broker_ok, broker = _broker_state()
    pages_ok = _pages_render()
    status = 200 if db_ok and broker_ok and pages_ok else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "database": "ok" if db_ok else "unreachable",
            "broker": broker,
            "pages": "ok" if pages_ok else "error",
        },
        status=status,
    )


login_view = public(
    auth_views.LoginView.as_view(
        template_name="registration/login.html",
        authentication_form=CabinetAuthenticationForm,
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


def _show_backup_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(request, "core/two_factor_codes.html",
                  {"codes": codes, "next": _safe_next(request)})


@any_role
def two_factor(request: HttpRequest) -> HttpResponse:
    """S-AUTH-2: set the second factor up (scan, then confirm a code; backup
    codes are shown once), get new backup codes, or turn it off."""
    user = request.user
    device = totp.confirmed_totp(user)
    if device is not None:
        form = OtpPasswordForm(request.POST or None, user=user)
        if request.method == "POST" and form.is_valid():
            action = request.POST.get("action")
            if action == "disable" and settings.TWO_FACTOR_REQUIRED:
                messages.error(request, "La double authentification est obligatoire dans ce cabinet.")
                return redirect("two_factor")
            if totp.verify(request, user, form.cleaned_data["code"]) is None:
                form.add_error("code", "Code incorrect ou expiré : saisissez le code affiché maintenant.")
            elif action == "disable":
                totp.disable(user)
                audit.record(actor=user, action="two_factor_disabled", obj=user, view="two_factor")
                messages.success(request, "Double authentification désactivée.")
                return redirect("two_factor")
            else:
                codes = totp.new_backup_codes(user)
                audit.record(actor=user, action="two_factor_backup_codes", obj=user,
                             view="two_factor")
                return _show_backup_codes(request, codes)
        return render(request, "core/two_factor.html", {
            "form": form, "enabled": True, "backup_left": totp.backup_codes_left(user),
            "required": settings.TWO_FACTOR_REQUIRED,
            "passkeys": passkey_service.passkeys_for_user(user),
            "can_register_passkey": user.is_verified(),
            "webauthn_config": _webauthn_config(request),
        })

    pending = totp.pending_totp(user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.confirm_totp(pending, form.cleaned_data["code"]):
            otp_login(request, totp.confirmed_totp(user))
            codes = totp.new_backup_codes(user)
            audit.record(actor=user, action="two_factor_enabled", obj=user, view="two_factor")
            messages.success(request, "Double authentification activée.")
            return _show_backup_codes(request, codes)
        form.add_error("code", "Code incorrect ou expiré : saisissez le code affiché maintenant.")
    return render(request, "core/two_factor.html", {
        "form": form,
        "enabled": False,
        "qr_svg": totp.qr_svg(pending.config_url),
        "secret": totp.secret_text(pending),
        "required": settings.TWO_FACTOR_REQUIRED,
        "next": _safe_next(request),
    })


@any_role
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step of the login: a code of the authenticator app or a backup
    code. Each is accepted once; wrong codes count as failed logins (a lock
    ends the session)."""
    user = request.user
    if totp.confirmed_totp(user) is None:
        return redirect("two_factor")
    if user.is_verified():
        return redirect(_safe_next(request))
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return _locked(request)
        device = totp.verify(request, user, form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(_safe_next(request))
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return _locked(request)
        form.add_error("code", "Code incorrect ou expiré : saisissez le code affiché maintenant.")
    return render(request, "core/two_factor_verify.html", {
        "form": form, "next": _safe_next(request),
        "has_passkey": passkey_service.has_passkey(user),
        "webauthn_config": _webauthn_config(request),
    })


def _webauthn_config(request: HttpRequest) -> dict:
    """What the library's scripts read (a JSON block, no inline script)."""
    from django.middleware.csrf import get_token

    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("passkey_auth_begin"),
        "completeAuthenticationUrl": reverse("passkey_auth_complete"),
        "beginRegistrationUrl": reverse("passkey_register_begin"),
        "completeRegistrationUrl": reverse("passkey_register_complete"),
    }


@any_role
def passkey(request: HttpRequest, pk: int) -> HttpResponse:
    """S-AUTH-2: name (right after registering it) or delete one's own passkey."""
    device = passkey_service._get_passkey_for_user(request.user, pk)
    form = PasskeyNameForm(request.POST or None, initial={"name": device.name})
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            passkey_service.delete_passkey(acting_user=request.user, passkey=device)
            messages.success(request, "Clé d'accès supprimée.")
            return redirect("two_factor")
        if form.is_valid():
            passkey_service.rename_passkey(acting_user=request.user, passkey=device,
                                           name=form.cleaned_data["name"])
            messages.success(request, "Clé d'accès enregistrée.")
            return redirect("two_factor")
    return render(request, "core/passkey.html", {"form": form, "passkey": device})


class _FrenchErrors:
    """The library's JSON errors, in French for the page's status line."""

    def handle_exception(self, exc):
        if isinstance(exc, webauthn_errors.OTPWebAuthnApiError):
            message = passkey_service.ERROR_MESSAGES.get(exc.code, passkey_service.DEFAULT_ERROR)
            return JsonResponse({"detail": message, "code": exc.code}, status=exc.status_code)
        return super().handle_exception(exc)


class _RegistrationChecks:
    def check_can_register(self):
        # Stricter than the library (which lets a user with no device at all
        # register one and be verified by it): the app's second factor first,
        # in this very session.
        user = self.request.user
        if totp.confirmed_totp(user) is None:
            raise webauthn_errors.NotVerified(code="second_factor_first")
        if not user.is_verified():
            raise webauthn_errors.NotVerified()


class PasskeyRegisterBegin(_FrenchErrors, _RegistrationChecks,
                           webauthn_views.BeginCredentialRegistrationView):
    pass


class PasskeyRegisterComplete(_FrenchErrors, _RegistrationChecks,
                              webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        device = passkey_service._get_passkey_for_user(self.request.user, json.loads(response.content)["id"])
        passkey_service.record_registered(acting_user=self.request.user, passkey=device)
        response = JsonResponse({"id": device.pk, "url": reverse("passkey", args=[device.pk])})
        return response


class _AuthenticationChecks:
    def check_can_authenticate(self):
        user = self.request.user
        if AxesProxyHandler.is_locked(self.request, {"username": user.get_username()}):
            logout(self.request)
            raise _Locked()
        if not passkey_service.has_passkey(user):
            raise webauthn_errors.CredentialNotFound(code="no_passkey")


class _Locked(webauthn_errors.OTPWebAuthnApiError):
    status_code = settings.AXES_HTTP_RESPONSE_CODE
    default_code = "locked"


class PasskeyAuthBegin(_FrenchErrors, _AuthenticationChecks,
                       webauthn_views.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthComplete(_FrenchErrors, _AuthenticationChecks,
                          webauthn_views.CompleteCredentialAuthenticationView):
    """The passkey instead of the code: the session is verified as with a
    code (new session key, django-otp's login); a refused answer counts as a
    failed login for django-axes, like a wrong code (S-AUTH-3)."""

    def complete_auth(self, device):
        self.request.session.cycle_key()
        otp_login(self.request, device)

    def get_redirect_url(self):
        target = self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return ""

    def handle_exception(self, exc):
        if isinstance(exc, webauthn_errors.OTPWebAuthnApiError) and not isinstance(exc, _Locked):
            user = self.request.user
            if user.is_authenticated:
                user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                       request=self.request)
                if getattr(self.request, "axes_locked_out", False):
                    logout(self.request)
                    exc = _Locked()
        return super().handle_exception(exc)


passkey_register_begin = any_role(PasskeyRegisterBegin.as_view())
passkey_register_complete = any_role(PasskeyRegisterComplete.as_view())
passkey_auth_begin = any_role(PasskeyAuthBegin.as_view())
passkey_auth_complete = any_role(PasskeyAuthComplete.as_view())


def _locked(request: HttpRequest) -> HttpResponse:
    return render(request, settings.AXES_LOCKOUT_TEMPLATE,
                  {"cooloff_minutes": settings.LOGIN_LOCKOUT_MINUTES},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


_BARE_500 = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur du serveur</title>'
    '</head><body><main><h1>Erreur du serveur</h1><p>Une erreur inattendue s\'est produite ; '
    'elle a été enregistrée. Réessayez dans un instant.</p><p><a href="/">Retour à l\'accueil</a>'
    "</p></main></body></html>"
)


def server_error(request):
    # The page's context (user, menu) needs the database, which may be what
    # failed: fall back to a bare French page rather than Django's own.
    try:
        return render(request, "500.html", status=500)
    except Exception:  # noqa: BLE001
        logger.exception("the 500 page could not be rendered with its context")
        return HttpResponse(_BARE_500, status=500)


@roles(Role.ADMIN, Role.TITULAIRE)
def accounts(request: HttpRequest) -> HttpResponse:
    """« Comptes et rôles » (S-AUTHZ-1..3): roles change here, through
    `core.roles`, never in the Django admin. A role opening patient records
    given by the administrator waits for a titulaire's confirmation."""
    change_form = RoleChangeForm(
        request.POST if request.POST.get("form") == "role" else None, acting_user=request.user
    )
    create_form = AccountCreateForm(request.POST if request.POST.get("form") == "create" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "role" and change_form.is_valid():
                change = roles_service.request_role_change(
                    acting_user=request.user, user=change_form.cleaned_data["user"],
                    role=change_form.cleaned_data["role"],
                )
                if change.status == RoleChangeStatus.PENDING:
                    messages.success(request, "Demande enregistrée : elle sera appliquée après "
                                              "la confirmation d'un(e) titulaire, alerté(e).")
                else:
                    messages.success(request, f"Rôle de {change.user} modifié.")
                return redirect("accounts")
            if request.POST.get("form") == "create" and create_form.is_valid():
                user, change, password = roles_service.create_account(
                    acting_user=request.user, **create_form.cleaned_data
                )
                pending = " ; le compte s'ouvrira après la confirmation d'un(e) titulaire" \
                    if change else ""
                messages.success(
                    request, f"Compte « {user.username} » créé. Mot de passe provisoire, à "
                             f"transmettre et à changer à la première connexion : {password}{pending}."
                )
                return redirect("accounts")
        except ValidationError as exc:
            target = change_form if request.POST.get("form") == "role" else create_form
            target.add_error(None, exc.messages)
    users = get_user_model().objects.only(
        "username", "first_name", "last_name", "role", "is_active"
    ).order_by("last_name", "username")
    users_page = Paginator(users, 50).get_page(request.GET.get("page"))
    pending = RoleChange.objects.filter(status=RoleChangeStatus.PENDING).select_related(
        "user", "requested_by")
    recent = RoleChange.objects.exclude(status=RoleChangeStatus.PENDING).select_related(
        "user", "requested_by", "decided_by")[:20]
    return render(request, "core/accounts.html", {
        "change_form": change_form, "create_form": create_form, "users": users_page,
        "pending": pending, "recent": recent,
        "can_confirm": request.user.role == Role.TITULAIRE,
    })


@roles(Role.TITULAIRE)
@require_POST
def role_change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = RoleChange.objects.filter(pk=pk).first()
    if change is None:
        raise Http404("Demande introuvable.")
    try:
        roles_service.decide_role_change(
            acting_user=request.user, change=change, accept=request.POST.get("decision") == "accept"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Décision enregistrée.")
    return redirect("accounts")
