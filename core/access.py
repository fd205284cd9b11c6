"""Access policies for views (S-AUTH-1, S-AUTHZ-4).

Every view declares its policy with one of these decorators; the role-by-URL
test refuses a URL whose view has none. Object-level rules (ownership) live in
each app's `_get_<object>_for_user()` helpers and selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import NURSES, OFFICE, STAFF, Role

__all__ = [
    "ALL_ROLES", "NURSES", "OFFICE", "STAFF", "any_role", "get_for_user", "public", "roles",
]

ALL_ROLES = frozenset(Role)


def roles(*allowed: str) -> Callable:
    """Allow only users whose role is listed; others get 403."""
    allowed_set = frozenset(Role(r) for r in allowed)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                # LoginRequiredMiddleware already redirected; this guards views
                # mounted outside it (tests with a bare RequestFactory).
                raise PermissionDenied
            if request.user.role not in allowed_set:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_policy = allowed_set
        return wrapper

    return decorator


def any_role(view):
    """Any logged-in user, whatever the role."""
    return roles(*ALL_ROLES)(view)


def public(view):
    """No login needed (login page, health check)."""
    view = login_not_required(view)
    view.access_policy = "public"
    return view


def visible_by_role(qs, user, *, titulaire, remplacant):
    """The cabinet's visibility rule for a queryset: the secrétaire sees every row, a
    titulaire and a remplaçant(e) the rows their filter (a Q or an expression) keeps,
    anyone else (the administrator) none."""
    role = getattr(user, "role", None)
    if role == Role.SECRETAIRE:
        return qs
    if role == Role.TITULAIRE:
        return qs.filter(titulaire)
    if role == Role.REMPLACANT:
        return qs.filter(remplacant)
    return qs.none()


def get_for_user(visible, pk, *, allowed: bool | Callable[[object], bool] = True):
    """The record among those the user sees (`visible`), else 404: a foreign
    record is not told apart from a missing one. Only then 403 when she may
    see it but not do what she asked (`allowed`, or `allowed(record)`)."""
    record = get_object_or_404(visible, pk=pk)
    if not (allowed(record) if callable(allowed) else allowed):
        raise PermissionDenied
    return record
