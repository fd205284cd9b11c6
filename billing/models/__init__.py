"""Billing models, one module per concern: séances (priced passages) here;
invoices and payments in their own modules as they come."""

from .seances import Seance, SeanceLine, SeanceSource, SeanceStatus

__all__ = ["Seance", "SeanceLine", "SeanceSource", "SeanceStatus"]
