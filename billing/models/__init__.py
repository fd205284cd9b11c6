"""Billing models, one module per concern: séances (priced passages),
invoices, payments. Each module's ``__all__`` names what the package exports."""

from . import invoices, payments, seances
from .invoices import *  # noqa: F403
from .payments import *  # noqa: F403
from .seances import *  # noqa: F403

__all__ = invoices.__all__ + payments.__all__ + seances.__all__
