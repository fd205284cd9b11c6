"""The visit outcome: done (with the acts performed), not done (with the
reason), or back to planned. Marking a visit done (or editing a done visit)
sends `cabinet.signals.visit_completed`; setting a done visit back sends
`visit_reopened`, both inside the transaction: billing listens to them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from core import audit

from .. import acts_catalogue
from ..models import Visit
from ..models.visits import NotDoneReason, VisitStatus
from ..selectors.tournees import visit_prescribed_acts
from ..signals import visit_completed, visit_reopened
from .tournee_errors import TourneeError


def _clean_acts(visit: Visit, performed: list[int] | None) -> list[dict]:
    """The acts actually performed, picked among the visit's planned acts by position."""
    if performed is None:
        return list(visit.acts)
    acts = list(visit.acts)
    chosen = []
    for index in performed:
        if not 0 <= index < len(acts):
            raise TourneeError("Acte inconnu pour ce passage.", field="performed")
        chosen.append(acts[index])
    return chosen


MAX_UNPLANNED = 8


def unplanned_acts(visit: Visit) -> list[dict]:
    """The acts noted as done that were not planned for the visit."""
    return [a for a in visit.performed_acts or [] if a.get("unplanned")]


def _clean_unplanned(visit: Visit, unplanned: list[dict] | None) -> list[dict]:
    """Acts done outside the plan, each read again from the catalogue (NGAP
    keys and coefficients only) and marked `unplanned`, with `prescribed`
    false when the visit's prescription lacks it: the invoice audit flags
    those (AUD-1), the page shows them. None keeps those already noted."""
    if unplanned is None:
        return unplanned_acts(visit) if visit.status == VisitStatus.DONE else []
    if len(unplanned) > MAX_UNPLANNED:
        raise TourneeError(f"{MAX_UNPLANNED} actes ajoutés au plus.", field="added")
    prescribed = [a.as_visit_act() for a in visit_prescribed_acts(visit)] if unplanned else []
    cleaned = []
    for act in unplanned:
        try:
            coefficient = act.get("coefficient")
            coefficient = None if coefficient in (None, "") else Decimal(str(coefficient))
            parsed = acts_catalogue.parse(act.get("catalogue_id") or act.get("key") or "",
                                          coefficient)
        except (acts_catalogue.ActInputError, InvalidOperation, AttributeError):
            raise TourneeError("Acte ajouté inconnu : choisissez dans la nomenclature ou tapez "
                               "la lettre-clé et le coefficient (ex. AMI 4).",
                               field="added") from None
        if parsed is None:
            raise TourneeError("Indiquez l'acte ajouté.", field="added")
        parsed["unplanned"] = True
        parsed["prescribed"] = any(acts_catalogue.same_act(parsed, p) for p in prescribed)
        cleaned.append(parsed)
    return cleaned


@transaction.atomic
def mark_done(
    *, acting_user, visit: Visit, done_at: datetime | None = None,
    performed: list[int] | None = None, unplanned: list[dict] | None = None, note: str = "",
    actual_duration_min: int | None = None,
) -> Visit:
    """The visit is done (or a done visit is corrected): billing is told through
    `visit_completed`, inside this transaction; it bills each visit once.

    `performed`: positions of the planned acts done (None: all of them);
    `unplanned`: every act done that was not planned, in a visit's act shape
    (None: those already noted stay). What billing answers (the séance's
    cotation, `{"total", "cotation", "error"}`) is left on `visit.cotation`."""
    visit = Visit.objects.select_for_update().select_related("patient").get(pk=visit.pk)
    if visit.status == VisitStatus.CANCELLED:
        raise TourneeError("Ce passage a été annulé.")
    acts = _clean_acts(visit, performed) + _clean_unplanned(visit, unplanned)
    # A visit planned without NGAP act (a cooperation follow-up) is done
    # without one; billing then bills nothing for it.
    if not acts and visit.acts:
        raise TourneeError("Cochez au moins un acte réalisé, ou indiquez que le passage n'a pas "
                           "été fait.", field="performed")
    was_done = visit.status == VisitStatus.DONE
    visit.status = VisitStatus.DONE
    visit.done_at = done_at or timezone.now()
    visit.performed_acts = acts
    visit.note = note
    visit.actual_duration_min = actual_duration_min
    visit.not_done_reason = ""
    visit.late_minutes = 0
    visit.save()
    audit.record(
        actor=acting_user, action="visit.edit_done" if was_done else "visit.done", obj=visit,
        patient_id=visit.patient_id, acts=[a.get("catalogue_id") or a.get("key") for a in acts],
        unplanned=sum(1 for a in acts if a.get("unplanned")),
    )
    answers = visit_completed.send(sender=Visit, visit=visit, acting_user=acting_user)
    visit.cotation = next((r for _, r in answers if isinstance(r, dict)), None)
    return visit


@transaction.atomic
def mark_not_done(*, acting_user, visit: Visit, reason: str, note: str = "") -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if reason not in NotDoneReason.values:
        raise TourneeError("Choisissez le motif.", field="reason")
    if visit.status == VisitStatus.CANCELLED:
        raise TourneeError("Ce passage a été annulé.")
    was_done = visit.status == VisitStatus.DONE
    visit.status = VisitStatus.NOT_DONE
    visit.not_done_reason = reason
    visit.note = note
    visit.done_at = timezone.now()
    visit.performed_acts = []
    visit.actual_duration_min = None
    visit.late_minutes = 0
    visit.save()
    audit.record(actor=acting_user, action="visit.not_done", obj=visit,
                 patient_id=visit.patient_id, reason=reason)
    if was_done:
        visit_reopened.send(sender=Visit, visit=visit, acting_user=acting_user)
    return visit


@transaction.atomic
def reopen_visit(*, acting_user, visit: Visit) -> Visit:
    """Back to planned (a mistaken tap)."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    was_done = visit.status == VisitStatus.DONE
    if visit.status == VisitStatus.PLANNED:
        return visit
    visit.status = VisitStatus.PLANNED
    visit.done_at = None
    visit.performed_acts = []
    visit.actual_duration_min = None
    visit.not_done_reason = ""
    visit.save()
    audit.record(actor=acting_user, action="visit.reopen", obj=visit, patient_id=visit.patient_id)
    if was_done:
        visit_reopened.send(sender=Visit, visit=visit, acting_user=acting_user)
    return visit
