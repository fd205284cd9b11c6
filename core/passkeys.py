"""Passkeys (FIDO2 WebAuthn, S-AUTH-2) on django-otp-webauthn: a passkey is
one more django-otp device, so a session verified with it is verified exactly
as with the authenticator app (`user.is_verified()`).

A passkey is a second factor here, never a password replacement (passwordless
login is off), and it is registered only from a session already verified
with the authenticator app, whose backup codes stay the way back in when the
device holding the passkey is lost. No secret reaches the audit trail: the
public key and credential id stay in the library's table."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from . import audit

NAME_MAX_LENGTH = 64  # django-otp's Device.name

# The library's API messages, for the French page (its own catalog has no
# French); keyed by its error codes.
ERROR_MESSAGES = {
    "user_not_verified": "Validez d'abord cette session avec un code de votre application "
                         "d'authentification.",
    "second_factor_first": "Activez d'abord la double authentification par application : "
                           "la clé d'accès s'y ajoute.",
    "no_passkey": "Aucune clé d'accès n'est enregistrée pour ce compte.",
    "invalid_state": "La vérification a expiré : recommencez.",
    "credential_not_found": "Cette clé d'accès n'est pas (ou plus) enregistrée pour ce compte.",
    "credential_user_mismatch": "Cette clé d'accès appartient à un autre compte.",
    "credential_disabled": "Cette clé d'accès est désactivée.",
    "user_disabled": "Ce compte est désactivé.",
    "locked": "Trop d'essais : le compte est verrouillé pour un moment.",
}
DEFAULT_ERROR = "La clé d'accès n'a pas pu être vérifiée."


def relying_party_id(request) -> str:
    """The configured relying party id, else the host this page came from
    (already checked against DJANGO_ALLOWED_HOSTS), without its port."""
    if settings.OTP_WEBAUTHN_RP_ID:
        return settings.OTP_WEBAUTHN_RP_ID
    host = request.get_host().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class PasskeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        if settings.OTP_WEBAUTHN_ALLOWED_ORIGINS:
            return list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        # Production always has a fixed list (config.relying_party); a
        # laptop answers on whatever port it was started on.
        return [f"{self.request.scheme}://{self.request.get_host()}"]

    def get_credential_display_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


def default_name(user) -> str:
    count = passkeys_for_user(user).count()
    return f"Clé d'accès {count}" if count > 1 else "Clé d'accès"


def passkeys_for_user(user):
    """The one visibility selector of passkeys: a user sees her own only."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def _get_passkey_for_user(user, pk: int) -> WebAuthnCredential:
    """Another user's passkey is not found (404), never shown."""
    try:
        return passkeys_for_user(user).get(pk=pk)
    except WebAuthnCredential.DoesNotExist:
        raise Http404 from None


def has_passkey(user) -> bool:
    return passkeys_for_user(user).exists()


def record_registered(*, acting_user, passkey: WebAuthnCredential) -> None:
    """Called by the registration view once the library saved the passkey
    (inside the request's transaction): a readable name, and its audit row."""
    passkey.name = default_name(acting_user)
    passkey.save(update_fields=["name"])
    audit.record(actor=acting_user, action="passkey_registered", obj=passkey,
                 view="passkey_register_complete")


@transaction.atomic
def rename_passkey(*, acting_user, passkey: WebAuthnCredential, name: str) -> WebAuthnCredential:
    passkey = WebAuthnCredential.objects.select_for_update().get(pk=passkey.pk, user=acting_user)
    passkey.name = name
    passkey.save(update_fields=["name"])
    audit.record(actor=acting_user, action="passkey_renamed", obj=passkey, view="passkey",
                 fields=["name"])
    return passkey


@transaction.atomic
def delete_passkey(*, acting_user, passkey: WebAuthnCredential) -> None:
    passkey = WebAuthnCredential.objects.select_for_update().get(pk=passkey.pk, user=acting_user)
    audit.record(actor=acting_user, action="passkey_deleted", obj=passkey, view="passkey")
    passkey.delete()
