"""The vocabulary of URL access policies (S-AUTHZ-4).

Each app declares, in `tests/<app>/access_policy.py`, a `POLICIES` dict from
URL name to `UrlPolicy`. The role-by-URL test walks every URL pattern of the
project and fails for a URL with no entry, so a new view cannot ship without
an explicit, tested policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = ("anonymous", "claire", "marc", "sophie", "julie", "nadia", "admin")

LOGIN = 302  # anonymous users are sent to the login page


@dataclass(frozen=True)
class UrlPolicy:
    """Expected status per persona for one URL.

    `kwargs` builds the URL arguments from the demo data (it receives the
    personas); `method` is the HTTP method tried; `data` the POST body.
    An expected value may be one status or a tuple of accepted statuses.
    """

    expect: dict[str, int | tuple[int, ...]]
    kwargs: Callable[[Any], dict] | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)


def by_role(
    *, titulaire, remplacant, secretaire, admin, anonymous=LOGIN, **overrides
) -> dict[str, int | tuple[int, ...]]:
    """Expectations written per role, expanded to the personas."""
    expect = {
        "anonymous": anonymous,
        "claire": titulaire,
        "marc": titulaire,
        "sophie": titulaire,
        "julie": remplacant,
        "nadia": secretaire,
        "admin": admin,
    }
    expect.update(overrides)
    return expect


def everyone(status=200) -> dict[str, int | tuple[int, ...]]:
    return by_role(titulaire=status, remplacant=status, secretaire=status, admin=status)


def public(status=200) -> dict[str, int | tuple[int, ...]]:
    return by_role(
        titulaire=status, remplacant=status, secretaire=status, admin=status, anonymous=status
    )
