"""The pre-send audit's input built from the database: the séances to check,
their prescriptions and patients, and the context that cross-séance rules
need (the other séances of the same patient-days and nurse-days: AUD-4, 5,
10, 11), in a constant number of queries whatever the number of séances."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, prefetch_related_objects

from billing import audit
from billing.models import Seance, SeanceStatus
from billing.ngap import jsonio as ngap_jsonio
from billing.ngap.model import QuoteError
from cabinet.models import Prescription, Tournee

_PASSAGE_OPTIONS = ("territory", "alsace_moselle")


def _passage(seance: Seance):
    """The engine facts stored on the séance (`{"passage", "options"}` or the
    bare `ngap_quote` shape), parsed as the engine reads them."""
    facts = seance.facts or {}
    passage = facts.get("passage", facts) if isinstance(facts, dict) else {}
    options = facts.get("options", {}) if isinstance(facts, dict) else {}
    if not passage:
        return None, seance.error or "faits du passage absents"
    try:
        parsed = ngap_jsonio.parse_passage(
            ngap_jsonio.loads(json.dumps(passage)),
            territory=options.get("territory", "metropole"),
            alsace_moselle=bool(options.get("alsace_moselle")),
        )
    except QuoteError as exc:
        return None, f"{exc.message} ({exc.field})" if exc.field else exc.message
    if "home_care_prescribed" in options:
        import dataclasses

        parsed = dataclasses.replace(parsed,
                                     home_care_prescribed=bool(options["home_care_prescribed"]))
    return parsed, seance.error


def seance_info(seance: Seance) -> audit.SeanceInfo:
    passage, error = _passage(seance) if seance.status == SeanceStatus.PRICED else (
        None, seance.error or "séance non cotée")
    return audit.SeanceInfo(
        id=seance.pk, patient=seance.patient_id, nurse=seance.nurse_id,
        prescription=seance.prescription_id, passage=passage,
        lines=tuple(audit.BilledLine(line.code, line.coefficient, line.rate, line.amount)
                    for line in seance.lines.all()),
        date=seance.date, time=seance.time,
        place=passage.place if passage else "domicile",
        urgent_call=passage.urgent_call if passage else False,
        shared_travel_with_previous=(passage.shared_travel_with_previous_patient
                                     if passage else False),
        pricing_error=error,
    )


def prescription_info(prescription: Prescription) -> audit.PrescriptionInfo:
    return audit.PrescriptionInfo(
        id=prescription.pk, patient=prescription.patient_id, start=prescription.start_date,
        end=prescription.end_date, date=prescription.date, home=prescription.at_home,
        night=prescription.night_required, daily=prescription.rigorously_daily,
        acts=tuple(audit.PrescribedAct(act.key.strip().upper(), act.coefficient)
                   for act in prescription.acts.all()),
    )


def audit_seances(seance_ids: Iterable[int]) -> tuple[audit.AuditResult, dict[int, Seance]]:
    """Run the audit on these séances, with the context of their days.
    Returns the findings of these séances only, and the séances by id."""
    ids = set(seance_ids)
    if not ids:
        return audit.AuditResult([]), {}
    targets = list(Seance.objects.filter(pk__in=ids).values_list("patient_id", "nurse_id", "date"))
    return _audit(ids, targets)


def audit_latest(seances: QuerySet[Seance], limit: int) -> tuple[audit.AuditResult, int]:
    """The audit of the `limit` most recent of these séances (by date of
    care), read with the facts it needs in the same query: a bounded audit
    whatever the backlog. Returns the findings and how many were audited."""
    rows = list(seances.order_by("-date", "-pk")
                .values_list("pk", "patient_id", "nurse_id", "date")[:limit])
    if not rows:
        return audit.AuditResult([]), 0
    result, _seances = _audit({pk for pk, *_ in rows}, [tuple(rest) for _pk, *rest in rows])
    return result, len(rows)


def _audit(ids: set[int], targets: list[tuple]) -> tuple[audit.AuditResult, dict[int, Seance]]:
    targets = set(targets)
    patient_days = {(patient_id, day) for patient_id, _nurse_id, day in targets}
    nurse_days = {(nurse_id, day) for _patient_id, nurse_id, day in targets if nurse_id is not None}
    # The séances of these patient-days and nurse-days: one query over the
    # days, the patients and the nurses (a superset), kept to the exact pairs
    # here; an OR of one condition per pair made building the SQL cost more
    # than running it.
    candidates = (Seance.objects
                  .filter(date__in={day for _p, _n, day in targets})
                  .filter(Q(patient_id__in={p for p, _day in patient_days})
                          | Q(nurse_id__in={n for n, _day in nurse_days}))
                  .exclude(status=SeanceStatus.CANCELLED)
                  .select_related("patient"))
    context = [s for s in candidates
               if (s.patient_id, s.date) in patient_days or (s.nurse_id, s.date) in nurse_days]
    prefetch_related_objects(context, "lines")
    seances = {s.pk: s for s in context}
    prescriptions = (Prescription.objects
                     .filter(pk__in={s.prescription_id for s in seances.values()
                                     if s.prescription_id})
                     .prefetch_related("acts"))
    patients = {s.patient_id: s.patient for s in seances.values()}
    nurse_day_keys = {(s.nurse_id, s.date) for s in seances.values() if s.nurse_id}
    tournees = []
    if nurse_day_keys:
        for tournee in (Tournee.objects
                        .filter(nurse_id__in={n for n, _day in nurse_day_keys},
                                date__in={day for _n, day in nurse_day_keys},
                                km_estimated__isnull=False)
                        .annotate(done=Count("visits", filter=Q(visits__status="done")))):
            if (tournee.nurse_id, tournee.date) not in nurse_day_keys:
                continue
            tournees.append(audit.TourneeInfo(tournee.nurse_id, tournee.date, tournee.done,
                                              Decimal(tournee.km_estimated)))
    data = audit.AuditInput(
        patients=tuple(audit.PatientInfo(p.pk, p.bsi_level or None, p.bsi_date)
                       for p in patients.values()),
        prescriptions=tuple(prescription_info(p) for p in prescriptions),
        seances=tuple(seance_info(s) for s in seances.values()),
        tournees=tuple(tournees),
    )
    result = audit.run_audit(data)
    return audit.AuditResult([f for f in result.findings if f.seance in ids]), seances
