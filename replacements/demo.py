"""Demo replacements: julie (remplaçante) under a signed contract replacing claire for two
weeks of the current month, a past contract two months ago with its acts, payment and
statement, and an autorisation de remplacement that expires soon (a warning on julie's
profile). Idempotent: nothing is created twice. Acts are real séances: visits done by
julie on behalf of claire, priced by billing's one pricing path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from core.models import User

from . import services, statements
from .models import (
    Autorisation,
    Contract,
    ExperiencePeriod,
    MonthlyStatement,
    RemplacantProfile,
    RetrocessionPayment,
    TitulaireStatus,
    Unavailability,
)

PATIENTS_PER_DAY = 4


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def current_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Two weeks of the current month, around today when the month allows it."""
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    start = min(max(first, today - dt.timedelta(days=6)), last - dt.timedelta(days=13))
    return start, start + dt.timedelta(days=13)


def past_period(today: dt.date) -> tuple[dt.date, dt.date]:
    first = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    return first + dt.timedelta(days=4), first + dt.timedelta(days=13)


def _templates(claire) -> list[Visit]:
    """Claire's latest patients with acts (the earlier ones stay hers alone in the other
    demos): their acts are what julie does in the demo."""
    seen, out = set(), []
    for v in Visit.objects.filter(nurse=claire).exclude(acts=[]).select_related("patient").order_by(
            "-patient_id", "pk")[:400]:
        if v.patient_id in seen or not v.patient.is_located:
            continue
        seen.add(v.patient_id)
        out.append(v)
        if len(out) == PATIENTS_PER_DAY:
            break
    return out


def _done_visits(julie, claire, days, templates) -> int:
    from cabinet.services import visit_outcome

    done = 0
    for day in days:
        for i, t in enumerate(templates):
            visit, created = Visit.objects.get_or_create(
                patient=t.patient, nurse=julie, date=day, slot=f"R{i:02d}", care_plan=None,
                defaults=dict(on_behalf_of=claire, window_start=t.window_start, window_end=t.window_end,
                              acts=t.acts, expected_duration_min=t.expected_duration_min),
            )
            if visit.status != VisitStatus.DONE:
                visit_outcome.mark_done(acting_user=julie, visit=visit, done_at=_aware(day, 8 + i))
                done += 1
    return done


def _profile(julie, today, contract_end) -> RemplacantProfile:
    profile, created = RemplacantProfile.objects.get_or_create(user=julie, defaults=dict(
        birth_date=dt.date(1994, 3, 12), home_address="4 rue des Halles, 37000 Tours",
        home_cpam="CPAM d'Indre-et-Loire", ordre_number="37-2018-0412",
        ordre_cdoi="CDOI d'Indre-et-Loire", ordre_registered_on=dt.date(2018, 9, 3),
        diploma_date=dt.date(2018, 7, 6), diploma_issuer="IFSI du CHRU de Tours",
        cpam_attestation_cpam="CPAM d'Indre-et-Loire", cpam_attestation_on=dt.date(2024, 2, 1),
        cps_type="cps_remplacant", cps_serial="CPS-REMP-0412", cps_valid_to=today.replace(year=today.year + 2),
        rcp_insurer="MACSF", rcp_policy_number="RCP-778812", rcp_valid_from=today.replace(month=1, day=1),
        rcp_valid_to=today.replace(month=12, day=31) + dt.timedelta(days=365),
        carpimko_number="C-5521907", carpimko_affiliated_on=dt.date(2024, 2, 15),
        urssaf_declared_on=dt.date(2024, 2, 20), siret="73282932000074",
    ))
    if created:
        ExperiencePeriod.objects.bulk_create([
            ExperiencePeriod(profile=profile, employer="CHRU de Tours, médecine interne",
                             setting="etablissement_de_soins", start=dt.date(2018, 9, 1),
                             end=dt.date(2022, 12, 31), hours=Decimal("6200")),
            ExperiencePeriod(profile=profile, employer="SSIAD de Joué-lès-Tours",
                             setting="structure_de_soins", start=dt.date(2023, 1, 2),
                             end=dt.date(2024, 1, 31), hours=Decimal("1500")),
        ])
        # An autorisation that covers the contracts and expires within weeks: the profile
        # shows the renewal warning with its deadline (R-REPL-16).
        valid_to = max(today, contract_end) + dt.timedelta(days=20)
        issued = valid_to.replace(year=valid_to.year - 1) + dt.timedelta(days=1)
        Autorisation.objects.create(profile=profile, number=f"CDOI37-R-{issued.year}-118",
                                    issuer="cdoi", issuing_cdoi="CDOI d'Indre-et-Loire",
                                    issued_on=issued, valid_from=issued, valid_to=valid_to)
    return profile


def seed(stdout=None) -> dict:
    julie = User.objects.filter(username="julie").first()
    claire = User.objects.filter(username="claire").first()
    if julie is None or claire is None:
        return {}
    today = timezone.localdate()
    cur_start, cur_end = current_period(today)
    old_start, old_end = past_period(today)
    _profile(julie, today, cur_end)
    TitulaireStatus.objects.get_or_create(user=claire, defaults=dict(
        conventionne=True, conventionne_since=dt.date(2012, 5, 1), cdoi="CDOI d'Indre-et-Loire",
        cpam="CPAM d'Indre-et-Loire", practice_form="association",
        practice_entity="Cabinet infirmier des Tilleuls (association)"))
    if Contract.objects.filter(titulaire=claire, remplacant=julie).exists():
        return {"contracts": 0}
    templates = _templates(claire)

    def contract_for(start, end, motif, kind, hand_over):
        unav = Unavailability.objects.create(titulaire=claire, kind=kind, start=start, end=end,
                                             note=motif)
        contract = services.save_contract(acting_user=claire, contract=Contract(
            titulaire=claire, remplacant=julie, unavailability=unav, motif=motif,
            start_at=_aware(start, 0), end_at=_aware(end + dt.timedelta(days=1), 0),
            place="cabinet_titulaire", place_details="12 rue Nationale, 37000 Tours",
            cabinet_share_percent=Decimal("10"), travel_to_remplacant=True,
        ))
        signed_at = _aware(start - dt.timedelta(days=10), 18)
        services.sign_contract(acting_user=claire, contract=contract, signed_by_titulaire_at=signed_at,
                               signed_by_remplacant_at=signed_at, sworn_titulaire=True, sworn_remplacant=True,
                               hand_over=hand_over, expected_version=contract.row_version)
        contract.refresh_from_db()
        services.record_transmission(acting_user=claire, contract=contract,
                                     sent_to_cdoi_titulaire_on=start - dt.timedelta(days=8),
                                     sent_to_cdoi_remplacant_on=start - dt.timedelta(days=8),
                                     sent_to_cpam_on=start - dt.timedelta(days=7),
                                     expected_version=contract.row_version)
        contract.refresh_from_db()
        return contract

    old = contract_for(old_start, old_end, "Congés", "conge", True)
    done = _done_visits(julie, claire, [old_start + dt.timedelta(days=i) for i in range(old_end.day - old_start.day + 1)],
                        templates)
    services.close_contract(acting_user=claire, contract=old, terminate=False, on=old_end,
                            expected_version=old.row_version)
    month = old_start.replace(day=1)
    st = statements.contract_statement(old, *statements.month_bounds(month.year, month.month))
    if st.totals.retrocession > 0:
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        services.record_payment(acting_user=claire, payment=RetrocessionPayment(
            contract=old, month=month, paid_on=next_month + dt.timedelta(days=9),
            amount=st.totals.retrocession, method="virement", reference=f"VIR-{month:%Y%m}-JP"))
    MonthlyStatement.objects.get_or_create(contract=old, month=month)

    # Claire's coming tournées stay hers in the demo (the tournées demo and its tests use
    # them): the contract page lists them under R-REPL-5 with the « Confier » button.
    current = contract_for(cur_start, cur_end, "Congés annuels", "conge", False)
    past_days = [cur_start + dt.timedelta(days=i) for i in range((min(today, cur_end + dt.timedelta(days=1)) - cur_start).days)]
    done += _done_visits(julie, claire, past_days, templates)
    if stdout is not None:
        stdout.write(f"Remplacements : julie remplace claire du {cur_start:%d/%m} au {cur_end:%d/%m} "
                     f"({done} passages faits en son nom).")
    return {"contracts": 2, "visits": done, "current": current.pk}
