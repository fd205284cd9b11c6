"""The authentication backend that loads the user of each request.

S-AUTH-2: `TwoFactorMiddleware` must know on every request whether the user
has a confirmed TOTP device (then this session has to give a code). Asking
the device table separately cost one query per request on every page; the
answer is instead computed in the same query that loads the user (an EXISTS
subquery), so it stays exact (a device confirmed or removed in another
session counts at once) without a query of its own.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

HAS_CONFIRMED_TOTP = "has_confirmed_totp"


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        try:
            user = user_model._default_manager.annotate(
                **{HAS_CONFIRMED_TOTP: Exists(confirmed)}
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


# The user model's limit; django-axes stores the username it counts in a
# varchar(255), which PostgreSQL refuses to overflow (a 500 on a forged
# login), and no text column takes a NUL character.
USERNAME_MAX_LENGTH = 150


def axes_username(request, credentials=None) -> str | None:
    """S-AUTH-3: the username django-axes counts attempts against, as the
    login form would read it: a forged, over-long or NUL-laden name is cut,
    never a server error."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "data", request.POST).get("username")
    if value is None:
        return None
    return str(value).replace("\x00", "")[:USERNAME_MAX_LENGTH]
