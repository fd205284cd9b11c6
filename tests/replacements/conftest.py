"""Fixtures of the replacements tests: a signed contract between two fresh nurses over a
fixed month, and séances with frozen lines performed by the remplaçante."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Seance, SeanceLine
from cabinet.models import Patient
from core.models import Role, User
from replacements import services
from replacements.models import (
    Autorisation,
    Contract,
    ContractStatus,
    ExperiencePeriod,
    RemplacantProfile,
    TitulaireStatus,
    Unavailability,
)

MONTH = dt.date(2026, 3, 1)


def aware(day: dt.date, hour: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def parties(db):
    tit = User.objects.create_user("tit_repl", first_name="Tina", last_name="Titulaire",
                                   role=Role.TITULAIRE, password="x")
    rem = User.objects.create_user("rem_repl", first_name="Rémi", last_name="Remplaçant",
                                   role=Role.REMPLACANT, password="x", rpps="10003456786")
    TitulaireStatus.objects.create(user=tit, conventionne=True)
    profile = RemplacantProfile.objects.create(
        user=rem, ordre_number="37-1", diploma_date=dt.date(2015, 7, 1), rcp_valid_to=dt.date(2030, 1, 1),
        urssaf_declared_on=dt.date(2020, 1, 1), cpam_attestation_on=dt.date(2020, 1, 1),
        carpimko_affiliated_on=dt.date(2020, 1, 1), cps_valid_to=dt.date(2030, 1, 1))
    Autorisation.objects.create(profile=profile, number="A1", issued_on=dt.date(2026, 1, 1),
                                valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    ExperiencePeriod.objects.create(profile=profile, employer="CHU", setting="etablissement_de_soins",
                                    start=dt.date(2019, 1, 1), end=dt.date(2024, 12, 31), hours=Decimal(6000))
    return tit, rem


def make_contract(tit, rem, start=MONTH, days=31, *, sign=True, **clauses) -> Contract:
    unav = Unavailability.objects.create(titulaire=tit, kind="conge", start=start,
                                         end=start + dt.timedelta(days=days - 1))
    contract = services.save_contract(acting_user=tit, contract=Contract(
        titulaire=tit, remplacant=rem, unavailability=unav, motif="congés",
        start_at=aware(start), end_at=aware(start + dt.timedelta(days=days)), **clauses))
    if sign:
        moment = aware(start - dt.timedelta(days=5), 10)
        services.sign_contract(acting_user=tit, contract=contract, signed_by_titulaire_at=moment,
                               signed_by_remplacant_at=moment, sworn_titulaire=True, sworn_remplacant=True,
                               expected_version=contract.row_version)
        contract.refresh_from_db()
    return contract


@pytest.fixture
def contract(parties):
    return make_contract(*parties)


def make_seances(tit, rem, n: int, start=MONTH, days=28, patients=None) -> list[Seance]:
    """n séances of one AMI 4 (12.60) plus IFD (2.75), spread over the days and patients."""
    patients = patients or list(Patient.objects.order_by("pk")[:20])
    seances = Seance.objects.bulk_create([
        Seance(patient=patients[i % len(patients)], nurse=tit, performed_by=rem,
               date=start + dt.timedelta(days=i % days), time=dt.time(8 + i % 10, 0),
               total=Decimal("15.35"), amo=Decimal("9.21"), patient_share=Decimal("6.14"))
        for i in range(n)
    ])
    lines = []
    for s in seances:
        common = dict(seance=s, rate=Decimal("1.00"), amo_rate=Decimal("0.60"), tariff_date=dt.date(2026, 1, 1))
        lines.append(SeanceLine(position=0, code="AMI", coefficient=Decimal(4), unit_value=Decimal("3.15"),
                                amount=Decimal("12.60"), amo=Decimal("7.56"), kind="act", **common))
        lines.append(SeanceLine(position=1, code="IFD", unit_value=Decimal("2.75"), amount=Decimal("2.75"),
                                amo=Decimal("1.65"), kind="travel", **common))
    SeanceLine.objects.bulk_create(lines)
    return seances


__all__ = ["ContractStatus", "MONTH", "aware", "make_contract", "make_seances"]
