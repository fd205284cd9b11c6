from urllib.parse import quote

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


NO_DEVICE_SESSION_KEY = "otp_no_device"


class TwoFactorMiddleware:
    """S-AUTH-2: a user with a second factor (or every user, when the
    deployment requires it) reaches nothing but the second-factor pages, the
    logout and the health check until a code of this session is given
    (django-otp's `is_verified()`). Where it is required, setting it up is
    the first screen after the first login."""

    ALLOWED_URL_NAMES = frozenset({"two_factor_verify", "two_factor", "logout", "healthz", "login"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
        ):
            from .two_factor import confirmed_totp

            # Without a required second factor, a user found without a device
            # is not looked up again in this session (pages keep their query
            # count); a device set up later logs the session in verified.
            if not settings.TWO_FACTOR_REQUIRED and request.session.get(NO_DEVICE_SESSION_KEY):
                return self.get_response(request)
            has_device = confirmed_totp(user) is not None
            if not has_device and not settings.TWO_FACTOR_REQUIRED:
                request.session[NO_DEVICE_SESSION_KEY] = True
            if has_device or settings.TWO_FACTOR_REQUIRED:
                match = request.resolver_match or _resolve(request.path_info)
                if match is None or match.url_name not in self.ALLOWED_URL_NAMES:
                    target = "two_factor_verify" if has_device else "two_factor"
                    return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None
