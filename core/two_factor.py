"""Second factor (S-AUTH-2) on django-otp: a TOTP device (RFC 6238; a code is
accepted once, failures are throttled) and static backup codes for a lost
phone, each usable once. The QR code is drawn on the server (no third-party
service). Wrong codes count as failed logins for django-axes (S-AUTH-3)."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_NAME = "Application d'authentification"
BACKUP_NAME = "Codes de secours"


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def pending_totp(user) -> TOTPDevice:
    """The device being set up (unconfirmed until a code from it is given)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#1d2527")


def secret_text(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_totp(device: TOTPDevice, code: str) -> bool:
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Ten fresh single-use codes; the previous ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(request, user, code: str):
    """The device that accepts `code` (TOTP or a backup code), or None; each
    device is locked while checked, so a code cannot be used twice even by
    two requests at once. A wrong code is a failed login for django-axes."""
    code = "".join((code or "").split()).lower()
    device = None
    if code:
        with transaction.atomic():
            for candidate in devices_for_user(user, confirmed=True, for_verify=True):
                if candidate.verify_token(code):
                    device = candidate
                    break
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    return device


@transaction.atomic
def disable(user) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()
