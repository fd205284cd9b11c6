"""Who sees which replacement record (R-REPL-43 privacy), and the rule facts read from the
database for the pure checks (`rules.check_contract`, `rules.profile_warnings`).

- titulaire: her own contracts and status; the remplaçants' profiles of her contracts.
- remplaçant: her own profile, contracts and statements; nothing of anybody else.
- secrétaire: every contract and statement (she prepares them and records payments),
  not the remplaçants' profiles.
- administrateur: nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet

from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from core.access import visible_by_role
from core.models import Role, User

from . import rules
from .models import (
    Contract,
    ContractStatus,
    RemplacantProfile,
    TitulaireStatus,
    Unavailability,
)
from .statements import contract_span

LIVE = (ContractStatus.SIGNED, ContractStatus.TRANSMITTED)


def access_margin_days() -> int:
    """R-REPL-43: the few days around a contract during which the remplaçant still sees
    the replaced titulaire's patients (setting REPLACEMENT_ACCESS_MARGIN_DAYS)."""
    return settings.REPLACEMENT_ACCESS_MARGIN_DAYS


def contracts_visible_to(user) -> QuerySet[Contract]:
    return visible_by_role(Contract.objects.select_related("titulaire", "remplacant", "parent"),
                           user, titulaire=Q(titulaire=user), remplacant=Q(remplacant=user))


def can_edit_contract(user, contract: Contract) -> bool:
    """The titulaire and the secretary prepare contracts; the remplaçant reads and signs."""
    role = getattr(user, "role", None)
    return role == Role.SECRETAIRE or (role == Role.TITULAIRE and contract.titulaire_id == user.pk)


def can_record_payment(user, contract: Contract) -> bool:
    return can_edit_contract(user, contract)


def profiles_visible_to(user) -> QuerySet[RemplacantProfile]:
    role = getattr(user, "role", None)
    qs = RemplacantProfile.objects.select_related("user")
    if role == Role.REMPLACANT:
        return qs.filter(user=user)
    if role == Role.TITULAIRE:
        return qs.filter(user__in=Contract.objects.filter(titulaire=user).values("remplacant_id"))
    return qs.none()


def unavailabilities_visible_to(user) -> QuerySet[Unavailability]:
    role = getattr(user, "role", None)
    if role == Role.TITULAIRE:
        return Unavailability.objects.filter(titulaire=user)
    if role == Role.SECRETAIRE:
        return Unavailability.objects.all()
    return Unavailability.objects.none()


def titulaires() -> QuerySet[User]:
    return User.objects.filter(role=Role.TITULAIRE, is_active=True).order_by("last_name", "first_name")


def remplacants() -> QuerySet[User]:
    return User.objects.filter(role=Role.REMPLACANT, is_active=True).order_by("last_name", "first_name")


def replaced_titulaire_ids(user, on: dt.date) -> list[int]:
    """R-REPL-43: the titulaires whose patients this remplaçant may see on `on`: live or
    finished contracts whose period plus the margin contains the day."""
    if getattr(user, "role", None) != Role.REMPLACANT:
        return []
    margin = dt.timedelta(days=access_margin_days())
    ids = []
    for c in Contract.objects.filter(remplacant=user).exclude(status=ContractStatus.DRAFT).only(
            "titulaire_id", "start_at", "end_at", "terminated_on", "status"):
        period = c.period
        end = min(period.end, c.terminated_on) if c.terminated_on else period.end
        if period.start - margin <= on <= end + margin:
            ids.append(c.titulaire_id)
    return ids


def current_contract(contracts: list[Contract], today: dt.date) -> Contract | None:
    """The live contract whose span covers today; an avenant wins over what it amends."""
    found = None
    for contract in contracts:
        if contract.status not in LIVE:
            continue
        start, end = contract_span(contract)
        if start <= today <= end and (found is None or contract.parent_id == found.pk):
            found = contract
    return found


def next_contract(contracts: list[Contract], today: dt.date) -> Contract | None:
    upcoming = [c for c in contracts if c.status in LIVE
                and contract_span(c)[0] > today]
    return min(upcoming, key=lambda c: (c.start_at, c.pk), default=None)


# --- facts for the pure rules -------------------------------------------------------------


def _period(start, end) -> list[rules.Period]:
    if start and end and end >= start:
        return [rules.Period(start, end)]
    if start and not end:
        return [rules.Period(start, dt.date(2100, 12, 31))]
    return []


def titulaire_status(user) -> TitulaireStatus:
    status = TitulaireStatus.objects.filter(user=user).first()
    return status or TitulaireStatus(user=user)


def own_visits(contract: Contract) -> list[Visit]:
    """R-REPL-5: the titulaire's own visits inside the period, still to reassign."""
    period = contract.period
    return list(
        Visit.objects.filter(nurse_id=contract.titulaire_id, date__gte=period.start,
                             date__lte=period.end)
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("patient").order_by("date", "planned_time", "pk")
    )


def titulaire_facts(contract: Contract, visits: list[Visit] | None = None) -> rules.TitulaireFacts:
    status = titulaire_status(contract.titulaire)
    visits = own_visits(contract) if visits is None else visits
    others = Contract.objects.filter(titulaire_id=contract.titulaire_id, status__in=LIVE).exclude(
        pk=contract.pk).exclude(pk=contract.parent_id or 0).exclude(parent=contract)
    return rules.TitulaireFacts(
        id=str(contract.titulaire_id),
        conventionne=status.conventionne,
        interdiction_exercer=_period(status.interdiction_from, status.interdiction_to),
        deconventionnement=_period(status.deconventionnement_from, status.deconventionnement_to),
        unavailability=[rules.Unavailability(u.start, u.end, kind=u.kind)
                        for u in Unavailability.objects.filter(titulaire_id=contract.titulaire_id)],
        own_visits=[v.date for v in visits],
        sas_interdiction=_period(status.sas_interdiction_from, status.sas_interdiction_to),
        practice_form=status.practice_form,
        other_contracts=[rules.OtherContract(c.period.start, c.period.end, party=str(c.remplacant_id))
                         for c in others if c.remplacant_id != contract.remplacant_id],
    )


def profile_of(user) -> RemplacantProfile:
    profile = RemplacantProfile.objects.filter(user=user).first()
    return profile or RemplacantProfile(user=user)


def remplacant_facts(contract: Contract) -> rules.RemplacantFacts:
    profile = profile_of(contract.remplacant)
    pk = profile.pk
    others = Contract.objects.filter(remplacant_id=contract.remplacant_id, status__in=LIVE).exclude(
        pk=contract.pk).exclude(pk=contract.parent_id or 0).exclude(parent=contract)
    return rules.RemplacantFacts(
        installed=profile.is_installed,
        diploma_date=profile.diploma_date or None,
        ordre_registered=bool(profile.ordre_number) and profile.ordre_status == "inscrit",
        interdiction_exercer=_period(profile.interdiction_from, profile.interdiction_to),
        autorisations=[a.facts() for a in profile.autorisations.all()] if pk else [],
        experience=[e.facts() for e in profile.experience.all()] if pk else [],
        rcp_valid_to=profile.rcp_valid_to,
        urssaf_declared_on=profile.urssaf_declared_on,
        other_contracts=[rules.OtherContract(c.period.start, c.period.end, party=str(c.titulaire_id))
                         for c in others],
        sas_interdiction=_period(profile.sas_interdiction_from, profile.sas_interdiction_to),
        salaried=profile.salaried,
        employer_authorised=profile.employer_authorised_on is not None,
    )


def check(contract: Contract) -> tuple[rules.CheckResult, list[Visit]]:
    """The contract against every rule, with the titulaire's visits to reassign."""
    visits = own_visits(contract)
    result = rules.check_contract(titulaire_facts(contract, visits), remplacant_facts(contract),
                                  contract.facts())
    for finding in rules.missing_clauses(contract.clause_values()):
        result.violations.append(finding)
    return result, visits


def profile_facts(profile: RemplacantProfile) -> rules.ProfileFacts:
    first = Contract.objects.filter(remplacant_id=profile.user_id).exclude(
        status=ContractStatus.DRAFT).order_by("start_at").values_list("start_at", flat=True).first()
    return rules.ProfileFacts(
        installed=profile.is_installed, diploma_date=profile.diploma_date,
        ordre_number=profile.ordre_number, rpps=profile.user.rpps,
        autorisations=[a.facts() for a in profile.autorisations.all()] if profile.pk else [],
        experience=[e.facts() for e in profile.experience.all()] if profile.pk else [],
        cpam_attestation_on=profile.cpam_attestation_on, cps_valid_to=profile.cps_valid_to,
        rcp_valid_to=profile.rcp_valid_to, carpimko_affiliated_on=profile.carpimko_affiliated_on,
        urssaf_declared_on=profile.urssaf_declared_on, siret=profile.siret,
        first_replacement_on=rules_local_date(first) if first else None,
        salaried=profile.salaried, employer_authorised_on=profile.employer_authorised_on,
    )


def rules_local_date(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def transmission_facts(contract: Contract) -> rules.TransmissionFacts:
    return rules.TransmissionFacts(
        start=contract.period.start, signed=not contract.is_draft,
        sent_to_cdoi_titulaire_on=contract.sent_to_cdoi_titulaire_on,
        sent_to_cdoi_remplacant_on=contract.sent_to_cdoi_remplacant_on,
        sent_to_cpam_on=contract.sent_to_cpam_on, draft_submitted_on=contract.draft_submitted_on,
        cdoi_observations_on=contract.cdoi_observations_on,
        sworn_titulaire=contract.sworn_titulaire, sworn_remplacant=contract.sworn_remplacant,
    )


def non_draft_q() -> Q:
    return ~Q(status=ContractStatus.DRAFT)
