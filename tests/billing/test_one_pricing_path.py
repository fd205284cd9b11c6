"""One pricing path (issue 11): the command line (`ngap_quote`) and the
cotation page give identical quotes for the same facts, over the public
cases; a séance's stored facts replay through the command to its lines; a
done visit reaches the engine without any serialisation on the way."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from billing import services
from billing.models import Seance
from billing.ngap import jsonio
from billing.services import facts as billing_facts
from billing.services import pricing

SHARED = Path(__file__).resolve().parents[3] / "shared"
COPY = Path(__file__).parent / "data" / "ngap_public.json"


def public_cases() -> list[dict]:
    path = SHARED / "cases" / "ngap_public.json"
    return json.loads((path if path.exists() else COPY).read_text("utf-8"))


CASES = public_cases()


def command(facts: dict) -> dict:
    out = io.StringIO()
    call_command("ngap_quote", stdin=io.StringIO(json.dumps(facts)), stdout=out)
    return json.loads(out.getvalue())


def form_data(facts: dict) -> dict:
    """The same facts as the cotation page's form fields."""
    data = {
        "date": facts["date"], "time": facts["time"], "place": facts["place"],
        "zone": facts.get("zone") or "plaine", "distance_km": str(facts.get("distance_km") or 0),
        "birth_date": facts["patient"]["birth_date"],
        "bsi_level": facts["patient"].get("bsi_level") or "",
        "coverage": facts.get("coverage") or "standard",
        "ik_km_already_billed_today": str(facts.get("ik_km_already_billed_today") or 0),
        "acts-TOTAL_FORMS": "5", "acts-INITIAL_FORMS": "0", "acts-MIN_NUM_FORMS": "0",
        "acts-MAX_NUM_FORMS": "10",
    }
    for flag in ("same_agglomeration", "urgent_night_prescribed", "sunday_holiday_prescribed",
                 "urgent_call", "palliative", "care_related_to_ald",
                 "shared_travel_with_previous_patient", "bsi_forfait_already_billed_today"):
        if facts.get(flag):
            data[flag] = "on"
    if facts["patient"].get("ald"):
        data["ald"] = "on"
    if facts.get("home_care_prescribed") is False:
        data["not_prescribed_at_home"] = "on"
    for i, act in enumerate(facts["acts"]):
        data[f"acts-{i}-key"] = act["key"]
        if act.get("coefficient") is not None:
            data[f"acts-{i}-coefficient"] = str(act["coefficient"])
        tags = act.get("tags") or []
        assert len(tags) <= 1, "the page takes one nature per act"
        if tags:
            data[f"acts-{i}-nature"] = tags[0]
        if act.get("group"):
            data[f"acts-{i}-group"] = act["group"]
    return data


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_command_line_and_page_give_identical_quotes(personas, case):
    facts = json.loads(json.dumps(case["input"]))
    # The page takes acts from the catalogue or by key: free labels are not
    # facts of the cotation (they only name the line), so both get none.
    for act in facts["acts"]:
        act.pop("label", None)
    by_command = command(facts)
    response = personas.client("nadia").post(reverse("billing:quote"), form_data(facts))
    assert response.status_code == 200, response.content.decode()[:2000]
    by_page = jsonio.quote_json(response.context["explained"]["result"])
    assert by_page == by_command
    assert by_command["total"] == case["expected"]["total"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_passage_json_is_the_inverse_of_the_parser(case):
    passage = jsonio.parse_passage(jsonio.loads(json.dumps(case["input"])))
    again = jsonio.parse_passage(jsonio.loads(json.dumps(jsonio.passage_json(passage))))
    assert again == passage


def test_a_done_visit_reaches_the_engine_without_serialisation(personas, monkeypatch):
    """visit → facts from the models → engine.quote_day → stored lines: the
    JSON parser is never called on the way, and the stored facts replay
    through the command line to the same lines."""
    from tests.billing.test_seances import AMI1, AMI4, done, make_patient, make_visit

    def forbidden(*args, **kwargs):
        raise AssertionError("no JSON on the pricing path")

    monkeypatch.setattr(jsonio, "parse_passage", forbidden)
    monkeypatch.setattr(jsonio, "loads", forbidden)
    far = make_patient("Loin", city="Joué-lès-Tours", postcode="37300",
                       coords=(Decimal("47.300000"), Decimal("0.600000")))
    first = make_visit(far, personas.claire, [AMI4, AMI1], hour=9)
    second = make_visit(make_patient("Près"), personas.claire, [AMI1], hour=10)
    done(first, personas.claire)
    done(second, personas.claire)
    monkeypatch.undo()
    for visit in (first, second):
        seance = Seance.objects.get(visit=visit)
        assert seance.facts["options"] == {"territory": "metropole", "alsace_moselle": False}
        assert seance.facts["passage"]["home_care_prescribed"] is True
        replayed = command(seance.facts["passage"])
        stored = [(ln.code, ln.coefficient, ln.rate, ln.amount) for ln in seance.lines.all()]
        assert [(ln["code"], Decimal(str(ln["coefficient"])) if ln["coefficient"] is not None
                 else None, Decimal(str(ln["rate"])), Decimal(ln["amount"]))
                for ln in replayed["lines"]] == [
            (c, k if k is None else Decimal(k), r, a) for c, k, r, a in stored]
        assert replayed["total"] == f"{seance.total:.2f}"


def test_the_day_is_priced_by_the_engine_day_function(personas, monkeypatch):
    """NGAP-IKCAP-1, NGAP-BSI-1: the day rules are applied by engine.quote_day,
    called once per nurse's day (one place for each day rule)."""
    from tests.billing.test_seances import AMI1, done, make_patient, make_visit

    calls = []
    real = pricing.engine.quote_day

    def spy(passages, *args, **kwargs):
        calls.append([p.patient.id for p in passages])
        return real(passages, *args, **kwargs)

    monkeypatch.setattr(pricing.engine, "quote_day", spy)
    a, b = make_patient("A"), make_patient("B")
    done(make_visit(a, personas.claire, [AMI1], hour=9), personas.claire)
    calls.clear()
    done(make_visit(b, personas.claire, [AMI1], hour=10), personas.claire)
    assert calls == [[str(a.pk), str(b.pk)]]


def test_visit_hand_offs_take_the_acting_user_explicitly(personas):
    from tests.billing.test_seances import AMI1, make_patient, make_visit

    visit = make_visit(make_patient(), personas.claire, [AMI1])
    with pytest.raises(TypeError):
        services.visit_completed(visit=visit)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        services.visit_reopened(visit=visit)  # type: ignore[call-arg]


def test_facts_errors_name_their_field(personas):
    from tests.billing.test_seances import make_patient

    patient = make_patient()
    with pytest.raises(billing_facts.QuoteError) as exc:
        billing_facts.passage_facts(patient=patient, cabinet=None, day=date(2026, 3, 10),
                                    at=None, acts=[{"key": "AMI", "coefficient": 1}])
    assert exc.value.field == "time"
    with pytest.raises(billing_facts.QuoteError) as exc:
        billing_facts.act_facts({"key": "", "catalogue_id": ""}, "acts[0]")
    assert exc.value.field == "acts[0].key"
