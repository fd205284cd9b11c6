"""TOTP second factor (S-AUTH-2), RFC 6238 through pyotp. The secret is kept
on the user; the QR code is drawn on the server (no third-party service)."""

from __future__ import annotations

import pyotp
import segno
from django.conf import settings

ISSUER = "Cabinet infirmier"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=getattr(settings, "CABINET_NAME", ISSUER)
    )


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#1d2527")


def verify(secret: str, code: str) -> bool:
    code = (code or "").replace(" ", "")
    if not (secret and code.isdigit() and len(code) == 6):
        return False
    # One step of clock drift either way, as authenticator apps expect.
    return pyotp.TOTP(secret).verify(code, valid_window=1)
