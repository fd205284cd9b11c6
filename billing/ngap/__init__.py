"""NGAP cotation engine for self-employed nurses (pure Python, no ORM).

    from billing.ngap import quote, quote_day, Passage, ActFacts, PatientFacts

Rules: docs/domain/ngap.md (ids `NGAP-…`, `AMO-…`, described in `rules.RULES`).
"""

from .catalogue import CatalogueAct, search
from .engine import quote, quote_day
from .model import ActFacts, DayQuote, Line, Passage, PatientFacts, Quote, QuoteError
from .tariffs import TariffError, TariffTable

__all__ = [
    "ActFacts",
    "CatalogueAct",
    "DayQuote",
    "Line",
    "Passage",
    "PatientFacts",
    "Quote",
    "QuoteError",
    "TariffError",
    "TariffTable",
    "quote",
    "quote_day",
    "search",
]
