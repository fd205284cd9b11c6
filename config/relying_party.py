"""S-AUTH-2: the WebAuthn relying party of a production deployment, checked
at start-up like the other settings (a pure function: settings import it)."""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ImproperlyConfigured

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


def _concrete(hosts: list[str]) -> list[str]:
    """The allowed hosts that name one host (not `*` nor `.example.fr`)."""
    return [h.lower() for h in hosts if h and h != "*" and not h.startswith(".")]


def _within(host: str, rp_id: str) -> bool:
    return host == rp_id or host.endswith("." + rp_id)


def production_relying_party(
    rp_id: str, origins: list[str], allowed_hosts: list[str]
) -> tuple[str, list[str]]:
    """(relying party id, allowed origins) for DEBUG off, or ImproperlyConfigured.

    The id defaults to the one host of DJANGO_ALLOWED_HOSTS; it must be a
    domain name (browsers refuse an IP address or a port) that the served
    hosts belong to. The origins default to `https://<host>` of each served
    host under it, and must be HTTPS.
    """
    hosts = _concrete(allowed_hosts)
    if not rp_id:
        if len(hosts) != 1 or len(allowed_hosts) != 1:
            raise ImproperlyConfigured(
                "OTP_WEBAUTHN_RP_ID must be set (the domain passkeys are bound to, e.g. "
                "cabinet.example.fr) when DJANGO_ALLOWED_HOSTS names more than one host."
            )
        rp_id = hosts[0]
    if "://" in rp_id or ":" in rp_id or "/" in rp_id or _is_ip(rp_id) or not _DOMAIN.match(rp_id):
        raise ImproperlyConfigured(
            f"OTP_WEBAUTHN_RP_ID={rp_id!r} must be a bare domain name (no scheme, port, "
            "path or IP address), e.g. cabinet.example.fr."
        )
    served = [h for h in hosts if _within(h, rp_id)]
    if not served and not any(h.startswith(".") and _within(h[1:], rp_id) for h in allowed_hosts):
        raise ImproperlyConfigured(
            f"OTP_WEBAUTHN_RP_ID={rp_id!r} matches no host of DJANGO_ALLOWED_HOSTS: "
            "passkeys registered for it could not be used."
        )
    if not origins:
        origins = [f"https://{h}" for h in served]
    if not origins:
        raise ImproperlyConfigured(
            "OTP_WEBAUTHN_ALLOWED_ORIGINS must list the https:// origins users log in from."
        )
    for origin in origins:
        host = origin.removeprefix("https://").split(":", 1)[0].lower()
        if not origin.startswith("https://") or not _within(host, rp_id):
            raise ImproperlyConfigured(
                f"OTP_WEBAUTHN_ALLOWED_ORIGINS: {origin!r} must be an https:// origin "
                f"under {rp_id!r}."
            )
    return rp_id, origins
