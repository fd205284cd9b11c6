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
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

HAS_CONFIRMED_TOTP = "has_confirmed_totp"


# Any pk that no user has: it marks where the real one goes among the
# parameters of the compiled query.
_PK_PLACEHOLDER = -7_300_001
_COMPILED: dict[tuple, tuple[str, list, int]] = {}


def _user_query(user_model, alias: str) -> tuple[str, list, int]:
    """The SQL of the user-and-device query, compiled once per database: it
    runs on every request, and building it through the ORM cost more than
    running it. Returns (sql, params, index of the pk among the params)."""
    key = (user_model._meta.label, alias)
    if key not in _COMPILED:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        queryset = user_model._default_manager.using(alias).annotate(
            **{HAS_CONFIRMED_TOTP: Exists(confirmed)}).filter(pk=_PK_PLACEHOLDER)
        sql, params = queryset.query.get_compiler(alias).as_sql()
        params = list(params)
        _COMPILED[key] = (sql, params, params.index(_PK_PLACEHOLDER))
    return _COMPILED[key]


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        alias = router.db_for_read(user_model)
        sql, params, index = _user_query(user_model, alias)
        params = list(params)
        params[index] = pk
        user = next(iter(user_model._default_manager.db_manager(alias).raw(sql, params)), None)
        if user is None:
            return None
        # A raw query leaves the annotation as the database gives it (0/1 on SQLite).
        setattr(user, HAS_CONFIRMED_TOTP, bool(getattr(user, HAS_CONFIRMED_TOTP)))
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
