from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class ContentSecurityPolicyMiddleware:
    """S-DEPLOY-2: no inline script, no remote origin. Django 5.2 has no CSP of
    its own; this header is the whole policy."""

    POLICY = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response


OTP_SESSION_KEY = "otp_verified"


class TwoFactorMiddleware:
    """S-AUTH-2: a user with a second factor (or every user, when the
    deployment requires it) reaches nothing but the second-factor pages, the
    logout and the health check until the TOTP code of this session is given."""

    ALLOWED_URL_NAMES = frozenset({"two_factor_verify", "two_factor", "logout", "healthz", "login"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.totp_enabled or settings.TWO_FACTOR_REQUIRED)
            and not request.session.get(OTP_SESSION_KEY)
            and not request.path.startswith(settings.STATIC_URL)
        ):
            match = request.resolver_match or _resolve(request.path_info)
            if match is None or match.url_name not in self.ALLOWED_URL_NAMES:
                target = "two_factor_verify" if user.totp_enabled else "two_factor"
                return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None
