"""Priced séances for the invoice tests, without going through a visit: the
facts are quoted by the NGAP engine and the lines frozen as the pricing path
stores them."""

from __future__ import annotations

import itertools
import json
from datetime import date, time, timedelta

from django.utils import timezone

from billing.models import Seance, SeanceLine, SeanceSource, SeanceStatus
from billing.ngap import engine, jsonio
from cabinet.models import Medecin, Patient, PrescribedAct, Prescription

DAY = date(2026, 6, 2)  # a Tuesday
# Distinct times by default, so that séances of one nurse never overlap (AUD-11).
_SLOTS = itertools.count()


def _next_time() -> str:
    minutes = 8 * 60 + (next(_SLOTS) * 20) % (11 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def make_patient(name="Facturé", **fields) -> Patient:
    defaults = dict(last_name=name, first_name="Test", birth_date=date(1950, 3, 10), sex="F",
                    address="1 rue Test", postcode="37000", city="Tours",
                    nir="", amo_regime="Régime général")
    defaults.update(fields)
    return Patient.objects.create(**defaults)


def make_prescription(patient, acts=(("AMI", 2),), *, start=DAY - timedelta(days=1),
                      days=30, at_home=True, night=False, daily=False) -> Prescription:
    medecin = Medecin.objects.order_by("pk").first() or Medecin.objects.create(
        last_name="Prescrit", first_name="Paul", rpps="10000000008")
    prescription = Prescription.objects.create(
        patient=patient, prescriber=medecin, date=start - timedelta(days=3), start_date=start,
        duration_days=days, at_home=at_home, night_required=night, rigorously_daily=daily)
    for key, coefficient in acts:
        PrescribedAct.objects.create(prescription=prescription, key=key,
                                     coefficient=coefficient, label=f"{key} {coefficient}")
    return prescription


def facts(patient, *, day=DAY, at=None, acts=(("AMI", 2),), place="domicile",
          coverage="standard", **extra) -> dict:
    passage = {
        "date": day.isoformat(), "time": at or _next_time(), "place": place, "zone": "plaine",
        "distance_km": 1, "same_agglomeration": True,
        "patient": {"birth_date": patient.birth_date.isoformat(),
                    "bsi_level": patient.bsi_level or None, "ald": coverage == "ald",
                    "id": str(patient.pk)},
        "acts": [{"key": key, "coefficient": coef} for key, coef in acts],
        "coverage": coverage, "care_related_to_ald": coverage == "ald",
    }
    passage.update(extra)
    return passage


def make_seance(patient, nurse, *, performed_by=None, prescription=None, lines=None,
                **fact_args) -> Seance:
    """A priced séance; `lines` replaces the engine's lines (to bill wrong)."""
    passage = facts(patient, **fact_args)
    quote = engine.quote(jsonio.parse_passage(jsonio.loads(json.dumps(passage))))
    h, m = (int(x) for x in passage["time"].split(":"))
    seance = Seance.objects.create(
        source=SeanceSource.ENTRY, patient=patient, nurse=nurse,
        performed_by=performed_by or nurse, prescription=prescription,
        date=date.fromisoformat(passage["date"]), time=time(h, m), status=SeanceStatus.PRICED,
        facts={"passage": passage, "options": {"territory": "metropole",
                                               "alsace_moselle": False}},
        total=quote.total, amo=quote.amo, patient_share=quote.patient_share,
        amo_rate=quote.amo_rate, amo_rules=list(quote.amo_rules),
        tariff_version=quote.tariff_version, priced_at=timezone.now(),
    )
    source = quote.lines if lines is None else lines
    SeanceLine.objects.bulk_create([
        SeanceLine(seance=seance, position=i, code=ln.code, label=ln.label, kind=ln.kind,
                   coefficient=ln.coefficient, rate=ln.rate, unit_value=ln.unit_value,
                   amount=ln.amount, amo_rate=ln.amo_rate, amo=ln.amo, rules=list(ln.rules),
                   tariff_date=ln.tariff_date or quote.tariff_version)
        for i, ln in enumerate(source)
    ])
    return seance


def clean_seance(nurse, *, patient=None, performed_by=None, **kw) -> Seance:
    """A séance with nothing for the audit to say: its prescription lists it."""
    patient = patient or make_patient()
    acts = kw.pop("acts", (("AMI", 2),))
    prescription = make_prescription(patient, acts)
    return make_seance(patient, nurse, performed_by=performed_by, prescription=prescription,
                       acts=acts, **kw)
