"""The main navigation, and the registry it is made of. Each app registers its
entries in its AppConfig.ready(); each role sees only the entries it may use
(S-AUTHZ-*). The patient page's panels (`cabinet.panels`) are another
registry of the same kind."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    order: int = 100


class Registry:
    """Entries added by the apps, one per URL name (registering again
    replaces it), listed for a role by order then label."""

    def __init__(self) -> None:
        self._entries: dict[str, NavItem] = {}
        self.version = 0

    def register(self, entry: NavItem) -> None:
        self._entries[entry.url_name] = entry
        self.version += 1

    def for_role(self, role) -> list[NavItem]:
        return sorted((e for e in self._entries.values() if role in e.roles),
                      key=lambda e: (e.order, e.label))


_ITEMS = Registry()
register = _ITEMS.register


# Every page's menu, reversed once per role rather than on each request (it
# depends on nothing else than the registry and the URL configuration).
_MENUS: dict[tuple, tuple[dict, ...]] = {}


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    key = (user.role, _ITEMS.version, get_urlconf(), get_script_prefix())
    menu = _MENUS.get(key)
    if menu is None:
        menu = _MENUS[key] = tuple(_menu(user.role))
    # Copies: a caller may change its list without changing the next page's.
    return [dict(item) for item in menu]


def _menu(role) -> list[dict]:
    visible = []
    for item in _ITEMS.for_role(role):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible
