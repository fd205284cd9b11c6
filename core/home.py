"""The home page's cards. Each app registers the cards it knows how to fill
from its AppConfig.ready() (core imports no app); the home page shows, for the
user's role, the cards that answer something. A card's `build` runs a fixed
number of queries whatever the size of the cabinet (aggregates, counts): the
home page stays flat as data grows (tested at 1× and 10× the demo).

The cards of a user are kept until the next write (`core.figures`): the
home pages seen between two changes (the secretary's audit of the latest
séances is the costly part) read them from memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .figures import until_next_write


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
    return until_next_write("home", user.pk, getattr(user, "role", ""), today.isoformat(),
                            compute=lambda: _build_cards(user, today))


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
