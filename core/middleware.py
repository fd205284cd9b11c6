import time
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


class TwoFactorMiddleware:
    """S-AUTH-2: a user with a second factor (or every user, when the
    deployment requires it) reaches nothing but the second-factor pages, the
    logout and the health check until a code of this session is given
    (django-otp's `is_verified()`). Where it is required, setting it up is
    the first screen after the first login."""

    # The passkey ceremony answers the second-factor step as a code does.
    ALLOWED_URL_NAMES = frozenset({"two_factor_verify", "two_factor", "logout", "healthz", "login",
                                   "passkey_auth_begin", "passkey_auth_complete"})

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
            has_device = _has_confirmed_totp(user)
            if has_device or settings.TWO_FACTOR_REQUIRED:
                match = request.resolver_match or _resolve(request.path_info)
                if match is None or match.url_name not in self.ALLOWED_URL_NAMES:
                    target = "two_factor_verify" if has_device else "two_factor"
                    return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _has_confirmed_totp(user) -> bool:
    # Loaded with the user by core.backends.UserBackend; a user loaded any
    # other way (another backend, a session from before it) asks the table.
    from .backends import HAS_CONFIRMED_TOTP

    known = getattr(user, HAS_CONFIRMED_TOTP, None)
    if known is not None:
        return known
    from .two_factor import confirmed_totp

    return confirmed_totp(user) is not None


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


class SlidingSessionMiddleware:
    """S-AUTH-4: a session ends after `SESSION_COOKIE_AGE` without activity.
    Saving the session at every request (Django's SESSION_SAVE_EVERY_REQUEST)
    costs a database write and a commit on every page; pushing the expiry
    back at most once every `SESSION_REFRESH_SECONDS` keeps the idle limit
    to within that margin for one write a minute per active user."""

    KEY = "_last_refresh"

    @classmethod
    def stamp_login(cls, sender, request, user, **kwargs) -> None:
        """A login saves the session anyway: it counts as the last refresh
        (the first page after it does not write the session again)."""
        session = getattr(request, "session", None)
        if session is not None:
            session[cls.KEY] = int(time.time())

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = settings.SESSION_REFRESH_SECONDS

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only an existing session: an anonymous request never creates one.
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            last = session.get(self.KEY)
            if not isinstance(last, int) or not 0 <= now - last < self.every:
                session[self.KEY] = now
        return response
