"""The main navigation. Each app registers its entries in its AppConfig.ready();
each role sees only the entries it may use (S-AUTHZ-*)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    order: int = 100


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    visible = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.label)):
        if user.role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible
