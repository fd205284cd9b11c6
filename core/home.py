"""The home page's cards. Each app registers the cards it knows how to fill
from its AppConfig.ready() (core imports no app); the home page shows, for the
user's role, the cards that answer something. A card's `build` runs a fixed
number of queries whatever the size of the cabinet (aggregates, counts): the
home page stays flat as data grows (tested at 1× and 10× the demo).

The cards of a user are kept for `HOME_CARDS_CACHE_SECONDS` under the id of
the latest audit row: every write goes through a service that records its
audit row in the same transaction, so any change (a séance priced, a visit
done, a contract signed, a record read) gives a new key and the next home
page computes its figures again, while the home pages seen between two
changes (the secretary's audit of the latest séances is the costly part) read
them from memory. The delay bounds what no write marks: figures that move
with the clock, and a transaction that commits after a later one's audit row
was seen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class HomeCard:
    key: str
    roles: frozenset
    template: str
    # (user, today) → the card's context, or None when it has nothing to say.
    build: Callable[[object, date], dict | None]
    order: int = 100


_CARDS: dict[str, HomeCard] = {}


def register_card(card: HomeCard) -> None:
    _CARDS[card.key] = card


def cards_for(user, today: date) -> list[dict]:
    seconds = settings.HOME_CARDS_CACHE_SECONDS
    if not seconds:
        return _build_cards(user, today)
    from .models import AuditEvent

    # The stamp is read before the figures: a write committed in between
    # makes the stored cards newer than their key, never older.
    stamp = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"home-cards:{user.pk}:{getattr(user, 'role', '')}:{today.isoformat()}:{stamp}"
    shown = cache.get(key)
    if shown is None:
        shown = _build_cards(user, today)
        cache.set(key, shown, seconds)
    return shown


def _build_cards(user, today: date) -> list[dict]:
    role = getattr(user, "role", None)
    shown = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.key)):
        if role not in card.roles:
            continue
        context = card.build(user, today)
        if context is not None:
            shown.append({"key": card.key, "template": card.template, "data": context})
    return shown
