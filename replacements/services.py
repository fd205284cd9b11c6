"""Writes of the replacements app: keyword-only, with `acting_user`, atomic, each with its
audit row in the same transaction. Concurrent saves never overwrite one another
(`row_version`); a signed contract is never edited (R-REPL-38)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from core import audit, versioning

from . import rules, selectors
from .models import (
    Contract,
    ContractStatus,
    RemplacantProfile,
    RetrocessionPayment,
    TitulaireStatus,
    Unavailability,
)


class ReplacementError(Exception):
    """A change refused, with a French message and the field at fault if any."""

    def __init__(self, message: str, *, field: str | None = None, findings=None):
        super().__init__(message)
        self.field = field
        self.findings = findings or []


class ConcurrentEditError(ReplacementError):
    def __init__(self):
        super().__init__(versioning.STALE_MESSAGE)


def _bump(model, obj, expected_version: int | None):
    """Lock the stored row, refuse a stale form, and advance the version."""
    if obj.pk is None:
        return None
    # S-DATA-2: a missing version is refused like a stale one (core.versioning),
    # as a ReplacementError so that the views show it with the others.
    try:
        stored = versioning.lock_version(model, obj.pk, expected_version)
    except versioning.ConcurrentEditError:
        raise ConcurrentEditError from None
    versioning.next_version(obj, stored)
    return stored


def _save_versioned(acting_user, obj, expected_version: int | None, action: str):
    """Save a new or changed record (a stale form refused) with its audit row,
    `<action>.create` or `<action>.update`."""
    created = obj.pk is None
    _bump(type(obj), obj, expected_version)
    obj.save()
    audit.record(actor=acting_user, action=f"{action}.create" if created else f"{action}.update",
                 obj=obj)
    return obj


@transaction.atomic
def save_profile(*, acting_user, profile: RemplacantProfile, expected_version: int | None = None,
                 rpps: str | None = None) -> RemplacantProfile:
    created = profile.pk is None
    _bump(RemplacantProfile, profile, expected_version)
    profile.save()
    if rpps is not None and rpps != profile.user.rpps:
        profile.user.rpps = rpps
        profile.user.save(update_fields=["rpps"])
    audit.record(actor=acting_user, action="remplacant_profile.create" if created
                 else "remplacant_profile.update", obj=profile)
    return profile


@transaction.atomic
def add_credential(*, acting_user, obj) -> None:
    """An autorisation de remplacement or an experience period."""
    obj.save()
    audit.record(actor=acting_user, action=f"{obj._meta.model_name}.create", obj=obj)


@transaction.atomic
def delete_credential(*, acting_user, obj) -> None:
    audit.record(actor=acting_user, action=f"{obj._meta.model_name}.delete", obj=obj)
    obj.delete()


@transaction.atomic
def save_titulaire_status(*, acting_user, status: TitulaireStatus,
                          expected_version: int | None = None) -> TitulaireStatus:
    return _save_versioned(acting_user, status, expected_version, "titulaire_status")


@transaction.atomic
def save_unavailability(*, acting_user, unavailability: Unavailability,
                        expected_version: int | None = None) -> Unavailability:
    if unavailability.pk is not None and unavailability.contracts.exclude(
            status=ContractStatus.DRAFT).exists():
        raise ReplacementError("Un contrat signé repose sur cette indisponibilité : elle ne peut "
                               "plus être modifiée (écrivez un avenant).")
    return _save_versioned(acting_user, unavailability, expected_version, "unavailability")


# --- contracts ----------------------------------------------------------------------------


@transaction.atomic
def save_contract(*, acting_user, contract: Contract, expected_version: int | None = None) -> Contract:
    """Create or change a draft. R-REPL-38: once signed, only an avenant changes it."""
    created = contract.pk is None
    if not created:
        stored = _bump(Contract, contract, expected_version)
        if not rules.clauses_editable(stored.status):
            raise ReplacementError("Un contrat signé n'est jamais modifié : rédigez un avenant "
                                   "(R-REPL-38).")
    else:
        contract.status = ContractStatus.DRAFT
        contract.created_by = acting_user if getattr(acting_user, "pk", None) else None
    contract.save()
    audit.record(actor=acting_user, action="contract.create" if created else "contract.update",
                 obj=contract)
    return contract


@transaction.atomic
def delete_draft(*, acting_user, contract: Contract) -> None:
    stored = Contract.objects.select_for_update().get(pk=contract.pk)
    if not rules.clauses_editable(stored.status):
        raise ReplacementError("Un contrat signé ne peut pas être supprimé (R-REPL-38).")
    audit.record(actor=acting_user, action="contract.delete", obj=stored)
    stored.delete()


@dataclass
class HandoverResult:
    moved: list[int] = field(default_factory=list)
    refused: list[tuple[Visit, str]] = field(default_factory=list)


def hand_over_visits(*, acting_user, contract: Contract) -> HandoverResult:
    """R-REPL-1 / R-REPL-40 / R-REPL-42: the titulaire's planned visits inside the contract go
    to the remplaçant's tournées (cabinet's « Confier à »), billed under the titulaire's name
    (`Visit.on_behalf_of`, used by billing to price under the titulaire and remember the
    performer). A visit that cannot move (a skill the remplaçant lacks) stays listed."""
    from cabinet.services import planning
    from cabinet.services.tournee_errors import TourneeError

    result = HandoverResult()
    if contract.status not in selectors.LIVE:
        return result
    period = contract.period
    today = timezone.localdate()
    visits = Visit.objects.filter(
        nurse_id=contract.titulaire_id, date__gte=max(period.start, today), date__lte=period.end,
        status=VisitStatus.PLANNED,
    ).order_by("date", "pk")
    refs = [rules.VisitRef(v.pk, v.nurse_id, v.date) for v in visits]
    plan = rules.handover_plan(refs, contract.titulaire_id, contract.remplacant_id, period)
    by_id = {v.pk: v for v in visits}
    for step in plan:
        visit = by_id[step.visit]
        try:
            with transaction.atomic():
                planning.reassign_visit(acting_user=acting_user, visit=visit, nurse=contract.remplacant)
                Visit.objects.filter(pk=visit.pk).update(on_behalf_of_id=step.on_behalf_of)
        except TourneeError as exc:
            result.refused.append((visit, str(exc)))
            continue
        result.moved.append(visit.pk)
    if result.moved:
        audit.record(actor=acting_user, action="contract.handover", obj=contract,
                     visits=len(result.moved), remaining=len(result.refused))
    return result


def _give_back_visits(*, acting_user, contract: Contract, after: dt.date) -> int:
    """On early termination, the planned visits after the last day return to the titulaire."""
    from cabinet.services import planning

    visits = list(Visit.objects.filter(nurse_id=contract.remplacant_id,
                                       on_behalf_of_id=contract.titulaire_id,
                                       date__gt=after, status=VisitStatus.PLANNED))
    for visit in visits:
        planning.reassign_visit(acting_user=acting_user, visit=visit, nurse=contract.titulaire)
    Visit.objects.filter(pk__in=[v.pk for v in visits]).update(on_behalf_of=None)
    return len(visits)


@transaction.atomic
def sign_contract(*, acting_user, contract: Contract, signed_by_titulaire_at: dt.datetime,
                  signed_by_remplacant_at: dt.datetime, sworn_titulaire: bool,
                  sworn_remplacant: bool, expected_version: int | None = None,
                  hand_over: bool = True) -> HandoverResult:
    """brouillon → signé: both signatures, every rule checked (a violation refuses the
    signature with its rule id), then the titulaire's visits are handed over."""
    stored = _bump(Contract, contract, expected_version)
    if not rules.can_transition(stored.status, ContractStatus.SIGNED):
        raise ReplacementError("Seul un brouillon peut être signé.")
    now = timezone.now()
    for label, moment in (("titulaire", signed_by_titulaire_at), ("remplaçant", signed_by_remplacant_at)):
        if moment is None:
            raise ReplacementError(f"Date de signature du {label} manquante.",
                                   field=f"signed_by_{'titulaire' if label == 'titulaire' else 'remplacant'}_at")
        if moment > now + dt.timedelta(minutes=5) or moment.year < 2000:
            raise ReplacementError(f"La date de signature du {label} ne peut pas être dans le futur.",
                                   field=f"signed_by_{'titulaire' if label == 'titulaire' else 'remplacant'}_at")
    result, _visits = selectors.check(stored)
    blocking = [f for f in result.violations if f.rule not in ("R-REPL-5", "R-REPL-6")]
    if blocking:
        raise ReplacementError("Le contrat ne respecte pas les règles du remplacement.",
                               findings=blocking)
    stored.signed_by_titulaire_at = signed_by_titulaire_at
    stored.signed_by_remplacant_at = signed_by_remplacant_at
    stored.sworn_titulaire = sworn_titulaire
    stored.sworn_remplacant = sworn_remplacant
    stored.remplacant_installed_at_signature = selectors.profile_of(stored.remplacant).is_installed
    stored.status = ContractStatus.SIGNED
    stored.row_version = contract.row_version
    stored.save()
    contract.refresh_from_db()
    audit.record(actor=acting_user, action="contract.sign", obj=stored)
    # R-REPL-5: the titulaire's own visits are handed over rather than refused; with
    # hand_over=False they stay listed on the contract page, to hand over from there.
    if not hand_over:
        return HandoverResult()
    return hand_over_visits(acting_user=acting_user, contract=stored)


@transaction.atomic
def record_transmission(*, acting_user, contract: Contract, expected_version: int | None = None,
                        **dates) -> Contract:
    """R-REPL-29 / R-REPL-21 / R-REPL-30: transmission dates; both CDOI sent → transmis."""
    allowed = {"draft_submitted_on", "cdoi_observations", "cdoi_observations_on",
               "sent_to_cdoi_titulaire_on", "sent_to_cdoi_remplacant_on", "sent_to_cpam_on"}
    stored = _bump(Contract, contract, expected_version)
    for key, value in dates.items():
        if key not in allowed:
            raise ValueError(key)
        setattr(stored, key, value)
    stored.row_version = contract.row_version
    if (stored.status == ContractStatus.SIGNED and stored.sent_to_cdoi_titulaire_on
            and stored.sent_to_cdoi_remplacant_on):
        stored.status = ContractStatus.TRANSMITTED
    stored.save()
    audit.record(actor=acting_user, action="contract.transmission", obj=stored,
                 fields=sorted(dates))
    contract.refresh_from_db()
    return stored


@transaction.atomic
def close_contract(*, acting_user, contract: Contract, terminate: bool, on: dt.date,
                   reason: str = "", expected_version: int | None = None) -> Contract:
    """signé/transmis → terminé (at its end) or résilié (early termination)."""
    stored = _bump(Contract, contract, expected_version)
    target = ContractStatus.TERMINATED if terminate else ContractStatus.ENDED
    if not rules.can_transition(stored.status, target):
        raise ReplacementError("Ce contrat ne peut plus changer d'état.")
    period = stored.period
    if terminate:
        if not (period.start - dt.timedelta(days=1) <= on <= period.end):
            raise ReplacementError("La résiliation doit tomber pendant le contrat.", field="on")
        if not reason.strip():
            raise ReplacementError("Indiquez le motif de la résiliation.", field="reason")
        stored.terminated_on, stored.termination_reason = on, reason.strip()
        _give_back_visits(acting_user=acting_user, contract=stored, after=on)
    else:
        stored.ended_on = on
    stored.status = target
    stored.row_version = contract.row_version
    stored.save()
    audit.record(actor=acting_user, action="contract.terminate" if terminate else "contract.end",
                 obj=stored)
    contract.refresh_from_db()
    return stored


@transaction.atomic
def create_avenant(*, acting_user, contract: Contract) -> Contract:
    """R-REPL-38: a change to a signed contract is a new written avenant, as a draft with
    the same clauses, to be signed and transmitted in turn."""
    if contract.is_draft:
        raise ReplacementError("Un brouillon se modifie directement ; l'avenant concerne un "
                               "contrat signé.")
    avenant = Contract.objects.get(pk=contract.pk)
    avenant.pk = None
    avenant.parent = contract
    avenant.status = ContractStatus.DRAFT
    avenant.row_version = 1
    for name in ("signed_by_titulaire_at", "signed_by_remplacant_at", "draft_submitted_on",
                 "cdoi_observations_on", "sent_to_cdoi_titulaire_on", "sent_to_cdoi_remplacant_on",
                 "sent_to_cpam_on", "ended_on", "terminated_on", "remplacant_installed_at_signature"):
        setattr(avenant, name, None)
    avenant.sworn_titulaire = avenant.sworn_remplacant = False
    avenant.cdoi_observations = avenant.termination_reason = ""
    avenant.created_by = acting_user if getattr(acting_user, "pk", None) else None
    avenant.save()
    audit.record(actor=acting_user, action="contract.avenant", obj=avenant, number=contract.number)
    return avenant


@transaction.atomic
def record_payment(*, acting_user, payment: RetrocessionPayment) -> RetrocessionPayment:
    payment.recorded_by = acting_user if getattr(acting_user, "pk", None) else None
    payment.save()
    audit.record(actor=acting_user, action="retrocession_payment.create", obj=payment,
                 number=payment.contract.number, total=str(payment.amount))
    return payment
