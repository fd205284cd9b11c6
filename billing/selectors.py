"""Who sees which séances: one visibility selector per model (S-AUTHZ-*).

- secrétaire: every séance of the cabinet (she enters and invoices them);
- titulaire: the séances billed under her name or that she performed;
- remplaçant: the séances she performed;
- administrateur: none (no patient data).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.models import Role

from .models import Seance


def seances_visible_to(user) -> QuerySet[Seance]:
    role = getattr(user, "role", None)
    if role == Role.SECRETAIRE:
        return Seance.objects.all()
    if role == Role.TITULAIRE:
        return Seance.objects.filter(Q(nurse=user) | Q(performed_by=user))
    if role == Role.REMPLACANT:
        return Seance.objects.filter(performed_by=user)
    return Seance.objects.none()


def recent_seances(qs: QuerySet[Seance]) -> QuerySet[Seance]:
    """The list of the entry page: what one row shows, in two queries."""
    return (qs.select_related("patient", "nurse", "performed_by", "prescription")
            .prefetch_related("lines")
            .order_by("-date", "-time", "-pk"))
