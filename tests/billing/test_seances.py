"""Phase 2: done visits become séances (cabinet.signals → billing.receivers),
priced by the engine, idempotent, re-priced over the day (IK cap, one BSI
forfait per patient-day), frozen once invoiced, audited."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing import services
from billing.models import Seance, SeanceStatus
from cabinet.models import Ald, Patient, Visit
from cabinet.models.visits import VisitStatus
from cabinet.services import visit_outcome
from cabinet.services.tournee_errors import TourneeError
from core.models import AuditEvent, Cabinet

DAY = date(2026, 3, 10)  # a Tuesday
PARIS = ZoneInfo("Europe/Paris")
# The demo cabinet is in Tours (47.3941, 0.6848), zone plaine.
NEAR = (Decimal("47.400000"), Decimal("0.690000"))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=PARIS)


def make_patient(name="Durand", *, city="Tours", postcode="37000", coords=NEAR,
                 bsi_level="", birth=date(1940, 1, 1), address="1 rue Test") -> Patient:
    return Patient.objects.create(
        last_name=name, first_name="Test", birth_date=birth, sex="F", address=address,
        postcode=postcode, city=city, latitude=coords[0] if coords else None,
        longitude=coords[1] if coords else None, bsi_level=bsi_level,
    )


def make_visit(patient, nurse, acts, *, hour=9) -> Visit:
    return Visit.objects.create(
        patient=patient, nurse=nurse, date=DAY, window_start=time(hour, 0),
        window_end=time(hour + 1, 0), planned_time=time(hour, 0), acts=acts,
    )


def done(visit, user, *, hour=None, minute=0, performed=None):
    hour = visit.planned_time.hour if hour is None else hour
    return visit_outcome.mark_done(acting_user=user, visit=visit, done_at=at(hour, minute),
                                     performed=performed)


def codes(seance) -> list[tuple]:
    return [(ln.code, ln.coefficient, ln.rate, ln.amount) for ln in seance.lines.all()]


AMI1 = {"catalogue_id": "XVI-1-1-SC", "key": "AMI", "coefficient": "1", "label": "Injection SC",
        "ald_zone": ""}
AMI4 = {"catalogue_id": "", "key": "AMI", "coefficient": 4, "label": "Pansement",
        "ald_zone": ""}


def test_done_visit_becomes_a_priced_seance(personas):
    visit = make_visit(make_patient(), personas.claire, [AMI1])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    assert seance.status == SeanceStatus.PRICED
    assert seance.nurse == personas.claire and seance.time == time(9, 0)
    # Same commune as the cabinet: no IK; single AMI 1 at home: MAU.
    assert [(c, r, a) for c, _, r, a in codes(seance)] == [
        ("AMI", Decimal("1.00"), Decimal("3.15")), ("IFD", Decimal("1.00"), Decimal("2.75")),
        ("MAU", Decimal("1.00"), Decimal("1.35"))]
    assert seance.total == Decimal("7.25") and seance.amo == Decimal("4.35")
    line = seance.lines.first()
    assert line.rules == ["NGAP-11B-1"] and line.tariff_date == date(2012, 5, 27)
    assert line.catalogue_id == "XVI-1-1-SC"
    assert seance.facts["passage"]["acts"][0]["id"] == "XVI-1-1-SC"
    event = AuditEvent.objects.filter(action="seance.priced", object_id=str(seance.pk)).get()
    assert event.actor == personas.claire and event.patient_id == visit.patient_id


def test_editing_the_done_visit_updates_the_same_seance(personas):
    visit = make_visit(make_patient(), personas.claire, [AMI4, AMI1])
    done(visit, personas.claire, performed=[1])
    seance = Seance.objects.get(visit=visit)
    assert seance.total == Decimal("7.25")
    done(visit, personas.claire, performed=[0, 1])  # the nurse corrects the acts
    assert Seance.objects.filter(visit=visit).count() == 1
    seance.refresh_from_db()
    assert [c for c, *_ in codes(seance)] == ["AMI", "AMI", "IFD"]
    assert seance.lines.get(position=1).rate == Decimal("0.50")
    assert AuditEvent.objects.filter(action="seance.repriced", object_id=str(seance.pk)).exists()


def test_idempotent_nothing_billed_twice(personas):
    visit = make_visit(make_patient(), personas.claire, [AMI1])
    done(visit, personas.claire)
    first = Seance.objects.get(visit=visit)
    lines = codes(first)
    services.visit_completed(visit=visit, acting_user=personas.claire)
    services.visit_completed(visit=visit, acting_user=personas.claire)
    assert Seance.objects.filter(visit=visit).count() == 1
    again = Seance.objects.get(visit=visit)
    assert again.pk == first.pk and codes(again) == lines
    assert AuditEvent.objects.filter(action="seance.unchanged", object_id=str(first.pk)).count() == 2


def test_reopened_visit_cancels_the_seance_and_done_again_reuses_it(personas):
    visit = make_visit(make_patient(), personas.claire, [AMI1])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    visit_outcome.reopen_visit(acting_user=personas.claire, visit=visit)
    seance.refresh_from_db()
    assert seance.status == SeanceStatus.CANCELLED and seance.total == 0
    assert not seance.lines.exists()
    assert AuditEvent.objects.filter(action="seance.cancelled", object_id=str(seance.pk)).exists()
    visit.refresh_from_db()
    done(visit, personas.claire)
    seance.refresh_from_db()
    assert seance.status == SeanceStatus.PRICED and seance.total == Decimal("7.25")
    assert Seance.objects.filter(visit=visit).count() == 1


def test_invoiced_seance_is_frozen(personas):
    visit = make_visit(make_patient(), personas.claire, [AMI4, AMI1])
    done(visit, personas.claire, performed=[1])
    seance = Seance.objects.get(visit=visit)
    Seance.objects.filter(pk=seance.pk).update(invoiced_at=at(20))
    done(visit, personas.claire, performed=[0, 1])
    seance.refresh_from_db()
    assert seance.total == Decimal("7.25") and seance.changed_after_invoice
    assert AuditEvent.objects.filter(action="seance.locked", object_id=str(seance.pk)).exists()
    visit_outcome.reopen_visit(acting_user=personas.claire, visit=visit)
    seance.refresh_from_db()
    assert seance.status == SeanceStatus.PRICED and seance.lines.count() == 3


def test_ik_daily_cap_over_the_nurse_day_in_chronological_order(personas):
    # ~150 km away (straight line × 1.3): each passage bills many IK km.
    far = (Decimal("48.400000"), Decimal("0.690000"))
    visits = [make_visit(make_patient(f"Loin{i}", city="Alençon", postcode="61000", coords=far,
                                      address=f"{i} rue Loin"), personas.marc, [AMI1], hour=h)
              for i, h in enumerate((8, 11, 15))]
    # Marked out of order: the last one first.
    for v in reversed(visits):
        done(v, personas.marc)
    seances = [Seance.objects.get(visit=v) for v in visits]
    km = [s.ik_km for s in seances]
    assert km[0] == km[1] == km[2] and km[0] > 200
    first_ik = [ln for ln in seances[0].lines.all() if ln.code == "IK"]
    assert [ln.rate for ln in first_ik] == [Decimal("1.00")]
    second_ik = [(ln.rate, ln.coefficient) for ln in seances[1].lines.all() if ln.code == "IK"]
    assert [r for r, _ in second_ik] == [Decimal("1.00"), Decimal("0.50"), Decimal("0.00")]
    third_ik = [ln.rate for ln in seances[2].lines.all() if ln.code == "IK"]
    assert third_ik == [Decimal("0.00")]
    assert sum(c for _, c in second_ik) == km[1]
    assert seances[1].facts["passage"]["ik_km_already_billed_today"] == int(km[0])


def test_one_bsi_forfait_per_patient_and_day_even_marked_out_of_order(personas):
    patient = make_patient(bsi_level="BSB")
    forfait = {"catalogue_id": "XVI-1-12-BSB", "key": "BSB", "coefficient": None,
               "label": "Forfait BSB", "ald_zone": ""}
    morning = make_visit(patient, personas.claire, [forfait], hour=8)
    evening = make_visit(patient, personas.sophie, [forfait], hour=18)
    done(evening, personas.sophie)
    assert codes(Seance.objects.get(visit=evening))[0][2] == Decimal("1.00")
    done(morning, personas.claire)
    m, e = Seance.objects.get(visit=morning), Seance.objects.get(visit=evening)
    assert [(c, r) for c, _, r, _ in codes(m)] == [("BSB", Decimal("1.00")), ("IFI", Decimal("1.00"))]
    assert [(c, r) for c, _, r, _ in codes(e)] == [("BSB", Decimal("0.00")), ("IFI", Decimal("1.00"))]
    assert AuditEvent.objects.filter(action="seance.repriced", object_id=str(e.pk)).exists()
    # The morning visit reopened: the evening one bills the forfait again.
    visit_outcome.reopen_visit(acting_user=personas.claire, visit=morning)
    e.refresh_from_db()
    assert codes(e)[0][2] == Decimal("1.00")


def test_ald_bizone_zones_give_the_amo_rate_per_act(personas):
    patient = make_patient()
    Ald.objects.create(patient=patient, ald_number=8, label="Diabète", decision="accepted",
                       sent_at=date(2025, 1, 1), valid_from=date(2025, 1, 1),
                       valid_to=date(2029, 12, 31))
    upper = dict(AMI4, ald_zone="upper")
    lower = dict(AMI1, ald_zone="lower")
    visit = make_visit(patient, personas.claire, [upper, lower])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    rates = {(ln.code, ln.coefficient): ln.amo_rate for ln in seance.lines.all()}
    assert rates[("AMI", Decimal("4.00"))] == Decimal("1.00")
    assert rates[("AMI", Decimal("1.00"))] == Decimal("0.60")
    assert seance.amo_rate is None
    assert seance.facts["passage"]["coverage"] == "ald"


def test_R_ALD_10_care_while_the_protocol_waited_is_priced_as_ald_once_agreed(personas):
    # Sent 20 days before the care: on the day of care the protocol was still
    # waiting (6 days of silence), but it is réputé accepté when the visit is
    # priced, and the agreement covers care since the sending.
    patient = make_patient()
    Ald.objects.create(patient=patient, ald_number=8, label="Diabète", decision="pending",
                       sent_at=date(2026, 3, 4))
    visit = make_visit(patient, personas.claire, [dict(AMI4, ald_zone="upper")])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    assert seance.facts["passage"]["coverage"] == "ald"
    assert [ln.amo_rate for ln in seance.lines.filter(code="AMI")] == [Decimal("1.00")]


def test_R_ALD_10_care_before_the_protocol_was_sent_is_not_covered(personas):
    patient = make_patient()
    Ald.objects.create(patient=patient, ald_number=8, label="Diabète", decision="accepted",
                       sent_at=date(2026, 3, 20), valid_from=date(2026, 3, 20))
    visit = make_visit(patient, personas.claire, [dict(AMI4, ald_zone="upper")])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    assert seance.facts["passage"]["coverage"] != "ald"


def test_unknown_position_and_engine_errors_do_not_break_the_visit(personas):
    patient = make_patient(coords=None)
    visit = make_visit(patient, personas.claire, [{"key": "XYZ", "coefficient": 1, "label": "?"}])
    done(visit, personas.claire)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    seance = Seance.objects.get(visit=visit)
    assert seance.status == SeanceStatus.ERROR and "XYZ" in seance.error
    assert any("Distance cabinet" in n for n in seance.notes)
    assert AuditEvent.objects.filter(action="seance.error", object_id=str(seance.pk)).exists()


def test_other_commune_bills_ik_from_the_coordinates(personas):
    # Joué-lès-Tours, ~5 km from the demo cabinet.
    patient = make_patient(city="Joué-lès-Tours", postcode="37300",
                           coords=(Decimal("47.352000"), Decimal("0.663000")))
    visit = make_visit(patient, personas.claire, [AMI1])
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    distance = Decimal(str(seance.facts["passage"]["distance_km"]))
    ik = seance.lines.get(code="IK")
    assert ik.coefficient == distance * 2 - 4 and ik.zone == "plaine"
    assert Cabinet.current().zone == "plaine"


@pytest.mark.parametrize("hour", [21])
def test_prescription_flags_reach_the_engine(personas, hour):
    from cabinet.models import CarePlan, Medecin, Prescription

    patient = make_patient()
    medecin = Medecin.objects.create(last_name="Martin", first_name="Jean")
    prescription = Prescription.objects.create(
        patient=patient, prescriber=medecin, date=DAY, start_date=DAY, duration_days=10,
        night_required=True)
    plan = CarePlan.objects.create(prescription=prescription, patient=patient, label="Nuit",
                                   start_date=DAY, end_date=DAY, times=["21:00"])
    visit = make_visit(patient, personas.claire, [AMI1], hour=hour - 1)
    visit.care_plan = plan
    visit.save()
    done(visit, personas.claire, hour=hour)
    seance = Seance.objects.get(visit=visit)
    assert "NUIT" in [c for c, *_ in codes(seance)]


def test_r_paph_9_a_passage_without_ngap_act_bills_nothing(personas):
    """A protocol follow-up (no NGAP act) gets no séance, hence no IFD/IK."""
    visit = make_visit(make_patient(), personas.claire, [])
    done(visit, personas.claire, performed=[])
    assert not Seance.objects.filter(visit=visit).exclude(status=SeanceStatus.CANCELLED).exists()


def test_a_visit_planned_with_acts_cannot_be_done_without_one(personas):
    visit = make_visit(make_patient(), personas.claire, [AMI1])
    with pytest.raises(TourneeError, match="au moins un acte"):
        done(visit, personas.claire, performed=[])
    assert not Seance.objects.filter(visit=visit).exists()


def test_fac_1_a_remplacant_visit_is_billed_under_the_titulaire(personas):
    """FAC-1: `Seance.nurse` is the billing nurse (the visit's `on_behalf_of`),
    `performed_by` the nurse who performed the care."""
    visit = make_visit(make_patient(), personas.julie, [AMI1])
    visit.on_behalf_of = personas.claire
    visit.save()
    done(visit, personas.julie)
    seance = Seance.objects.get(visit=visit)
    assert seance.nurse == personas.claire and seance.performed_by == personas.julie
    assert seance.source == "visit" and seance.entered_by == personas.julie


def test_aud_1_the_seance_names_the_prescription_it_executes(personas):
    from cabinet.models import CarePlan, Medecin, Prescription

    patient = make_patient()
    medecin = Medecin.objects.create(last_name="Martin", first_name="Jean")
    prescription = Prescription.objects.create(
        patient=patient, prescriber=medecin, date=DAY, start_date=DAY, duration_days=10)
    plan = CarePlan.objects.create(prescription=prescription, patient=patient, label="Matin",
                                   start_date=DAY, end_date=DAY, times=["09:00"])
    visit = make_visit(patient, personas.claire, [AMI1])
    visit.care_plan = plan
    visit.save()
    done(visit, personas.claire)
    seance = Seance.objects.get(visit=visit)
    assert seance.prescription == prescription
    assert seance.nurse == seance.performed_by == personas.claire
    # A visit without a care plan executes no known prescription.
    other = make_visit(make_patient("Petit"), personas.claire, [AMI1], hour=11)
    done(other, personas.claire)
    assert Seance.objects.get(visit=other).prescription is None
