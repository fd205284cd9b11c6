"""Who sees which invoice and which séances may be invoiced by whom (one
visibility selector per model).

- the secrétaire: every invoice of the cabinet; she invoices any séance;
- a titulaire: the invoices she bills (FAC-1), her own séances to invoice;
- a remplaçant(e): only the invoices holding a séance she performed, read-only;
- the administrator: none (no patient data).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from billing.models import Invoice, InvoiceSeance, Seance, SeanceStatus
from core.access import visible_by_role
from core.models import Role


def invoices_visible_to(user) -> QuerySet[Invoice]:
    performed = InvoiceSeance.objects.filter(invoice=OuterRef("pk"), seance__performed_by=user)
    return visible_by_role(Invoice.objects.all(), user, titulaire=Q(nurse=user),
                           remplacant=Exists(performed))


def can_create_invoices(user) -> bool:
    return getattr(user, "role", None) in (Role.SECRETAIRE, Role.TITULAIRE)


def invoices_editable_by(user) -> QuerySet[Invoice]:
    """The invoices a user may act on (validate, avoir, export): the
    secrétaire's and a titulaire's own; never a remplaçant's."""
    if not can_create_invoices(user):
        return Invoice.objects.none()
    return invoices_visible_to(user)


def seances_visible_to(user) -> QuerySet[Seance]:
    """The séances a user may see in the billing pages."""
    return visible_by_role(Seance.objects.all(), user, titulaire=Q(nurse=user),
                           remplacant=Q(performed_by=user))


# A séance waiting to be invoiced: priced, on no invoice yet, with its billing nurse.
INVOICEABLE = Q(status=SeanceStatus.PRICED, invoiced_at__isnull=True, nurse__isnull=False)


def invoiceable_seances_for(user) -> QuerySet[Seance]:
    """Priced séances not yet on an invoice that this user may invoice."""
    if not can_create_invoices(user):
        return Seance.objects.none()
    return seances_visible_to(user).filter(INVOICEABLE)
