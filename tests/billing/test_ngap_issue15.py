"""Issue 15: NGAP cases a nurse meets every week, one test per point, named
after the rule ids; the engine's READINGS and ngap.md's UNCERTAIN items agree."""

from __future__ import annotations

from datetime import date

from billing.ngap import engine
from billing.ngap import rules as R

from .ngap_helpers import D, act, codes, line, passage

HOME = {"place": "domicile", "distance_km": D(0)}


def test_ngap_23_2_1_ngap_23_2_2_mci_for_a_palliative_patient_beside_an_ais_seance():
    """ameli FAQ on the MCI: "des actes et des séances de soins infirmiers …
    chez un patient en phase palliative (AMI, AIS)". 2018-03-13, AIS 3 at
    home, palliative: AIS 3 7,95 + IFD 2,50 + MCI 5,00 = 15,45."""
    q = engine.quote(passage(act("AIS", 3), day=date(2018, 3, 13), palliative=True, **HOME))
    assert [(ln.code, ln.amount) for ln in q.lines if ln.rate] == [
        ("AIS", D("7.95")), ("IFD", D("2.50")), ("MCI", D("5.00"))]
    assert q.total == D("15.45")
    assert "NGAP-23.2-2" in line(q, "MCI").rules and "NGAP-BSI-7" in line(q, "MCI").rules
    # The warning says what actually happened: beside an AIS séance, no BSI forfait.
    assert any("MCI facturée à côté d'une séance AIS" in w for w in q.warnings)
    assert not any("forfait BSI" in w for w in q.warnings)


def test_ngap_bsi_7_switch_off_names_what_the_mci_was_refused_beside(monkeypatch):
    monkeypatch.setattr(R, "MCI_WITH_BSI", False)
    q = engine.quote(passage(act("AIS", 3), day=date(2018, 3, 13), palliative=True, **HOME))
    assert "MCI" not in codes(q)
    assert any("MCI non facturée à côté d'une séance AIS" in w for w in q.warnings)


def test_ngap_bsi_7_reading_and_ngap_md_agree():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "domain" / "ngap.md").read_text("utf-8")
    item = next(ln for ln in doc.splitlines() if ln.startswith("- NGAP-BSI-7:"))
    assert "UNCERTAIN" in item and "MCI_WITH_BSI = True" in item
    assert R.RULES["NGAP-BSI-7"].status == "UNCERTAIN"
    assert any(r.rule_id == "NGAP-BSI-7" and "à côté" in r.text for r in R.READINGS)


def _command(facts: dict) -> tuple[int, dict]:
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    try:
        call_command("ngap_quote", stdin=io.StringIO(json.dumps(facts)), stdout=out)
    except SystemExit as exc:
        return int(exc.code), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


BASE = {"date": "2026-03-10", "time": "10:00", "place": "domicile", "distance_km": 10,
        "patient": {"birth_date": "1948-05-12"}, "acts": [{"key": "AMI", "coefficient": 2}]}


def test_ngap_13_1_ngap_quote_accepts_home_care_prescribed_default_true():
    status, home = _command(BASE)
    assert status == 0
    status, explicit = _command({**BASE, "home_care_prescribed": True})
    assert status == 0 and explicit == home
    status, not_home = _command({**BASE, "home_care_prescribed": False})
    assert status == 0
    travel = [ln for ln in not_home["lines"] if ln["code"] in ("IFD", "IK")]
    assert [ln["code"] for ln in travel] == ["IFD", "IK"]
    assert all("NGAP-13-1" in ln["rules"] for ln in travel)
    # Same lines and total; the AMO pays the act only: the patient the travel.
    assert not_home["total"] == home["total"]
    assert D(not_home["amo"]) == D("3.78")  # AMI 2 × 3,15 × 60 %
    assert D(not_home["patient_share"]) == D(home["total"]) - D("3.78")
    assert not_home["amo_rate"] is None
    assert any("à la charge du patient" in w for w in not_home["warnings"])
    status, bad = _command({**BASE, "home_care_prescribed": "oui"})
    assert status == 2 and bad["field"] == "home_care_prescribed"


def test_ngap_ikcap_1_in_force_from_april_2020_where_the_sources_meet():
    """laruche: 1 April 2020; laboiteaidel: 31 March 2020 (l-idel alone says
    1 January). The cap is dated data: 2020-04-01."""
    from billing.ngap import quote_day, tariffs

    assert [v.since for v in tariffs.load().history("IK_PLAFOND_TAUX_PLEIN_KM")] == [
        date(2020, 4, 1)]
    source = tariffs.load().history("IK_PLAFOND_TAUX_PLEIN_KM")[0].source
    assert "laruche" in source and "laboiteaidel" in source

    def day(on):
        trips = [passage(act("AMI", 1), day=on, at=f"{8 + i:02d}:00", distance_km=D(152),
                         place="domicile") for i in range(2)]  # 300 km each
        return quote_day(trips)

    assert day(date(2020, 3, 31)).seances[1].lines[-1].rate == 1  # not capped yet
    capped = day(date(2020, 4, 1)).seances[1]
    assert [ln.rate for ln in capped.lines if ln.code == "IK"] == [D("0.5"), 0]
    assert "NGAP-IKCAP-1" in capped.uncertain_rules


def test_tariffs_verified_until_warns_a_later_quote():
    """Issue 15 point 6: the tariffs say how fresh they are."""
    from billing.ngap import tariffs

    until = tariffs.load().verified_until
    assert until == date(2026, 8, 31) and "avenant 11" in tariffs.load().verified_source
    on = engine.quote(passage(act("AMI", 2), day=until, **HOME))
    after = engine.quote(passage(act("AMI", 2), day=date(2026, 9, 1), **HOME))
    assert not any("Tarifs vérifiés" in w for w in on.warnings)
    assert any("Tarifs vérifiés jusqu'au 31/08/2026" in w for w in after.warnings)
    assert after.total == on.total  # the values stay the last known ones


def test_tariffs_file_refuses_a_malformed_verified_table():
    import pytest

    from billing.ngap import tariffs

    text = tariffs.DATA_FILE.read_text("utf-8")
    with pytest.raises(tariffs.TariffError, match="verified.until"):
        tariffs.loads(text.replace('until = "2026-08-31"', 'until = "31/08/2026"'))
    with pytest.raises(tariffs.TariffError, match="verified"):
        tariffs.loads(text.replace('until = "2026-08-31"', 'until = "2026-08-31"\nextra = 1'))


def test_tariffs_command_prints_the_values_in_force_with_their_sources():
    import io

    import pytest
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("tariffs", "--date", "2023-06-01", stdout=out)
    text = out.getvalue()
    assert "Tarifs NGAP en vigueur le 01/06/2023" in text
    ifd = next(ln for ln in text.splitlines() if ln.startswith("IFD "))
    assert "2.50" in ifd and "27/05/2012" in ifd and "Avenant 3" in ifd
    assert "ATTENTION" not in text
    later = io.StringIO()
    call_command("tariffs", "--date", "2026-12-01", stdout=later)
    assert "ATTENTION" in later.getvalue() and "31/08/2026" in later.getvalue()
    assert "2.75" in next(ln for ln in later.getvalue().splitlines() if ln.startswith("IFD "))
    with pytest.raises(CommandError, match="date invalide"):
        call_command("tariffs", "--date", "2026-13-01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="aucun tarif avant"):
        call_command("tariffs", "--date", "2001-01-01", stdout=io.StringIO())


def test_the_administrator_sees_the_tariff_freshness_on_the_home_page(personas):
    html = personas.client("admin").get("/").content.decode()
    assert "Tarifs NGAP vérifiés jusqu&#x27;au 31/08/2026" in html or \
        "Tarifs NGAP vérifiés jusqu'au 31/08/2026" in html
    assert "Tarifs NGAP vérifiés" not in personas.client("nadia").get("/").content.decode()


def test_ngap_11b_x2_tie_keeps_the_5bis_group_whole_and_halves_the_dressing():
    """Trade-press lawyer's column (2016): glycaemia AMI 1 + insulin AMI 1
    (5bis group, 2) + small dressing AMI 2 → "AMI 1 + AMI 1 + AMI 2/2"."""
    q = engine.quote(passage(act("AMI", 1, group="5bis", label="glycémie"),
                             act("AMI", 1, group="5bis", label="insuline"),
                             act("AMI", 2, label="pansement"), place="cabinet"))
    acts = [(ln.coefficient, ln.rate) for ln in q.lines if ln.code == "AMI"]
    assert sorted(acts) == sorted([(D(1), 1), (D(1), 1), (D(2), D("0.5"))])
    assert "NGAP-11B-X2" in q.uncertain_rules
    assert any("le groupe 5bis est facturé à taux plein" in w for w in q.warnings)


def test_ngap_11b_x2_tie_switch_off_halves_the_group(monkeypatch):
    monkeypatch.setattr(R, "FIVEBIS_GROUP_WHOLE_ON_TIE", False)
    q = engine.quote(passage(act("AMI", 1, group="5bis"), act("AMI", 1, group="5bis"),
                             act("AMI", 2), place="cabinet"))
    acts = [(ln.coefficient, ln.rate) for ln in q.lines if ln.code == "AMI"]
    assert sorted(acts) == sorted([(D(1), D("0.5")), (D(1), D("0.5")), (D(2), 1)])


def test_ngap_11b_x2_no_tie_no_warning():
    q = engine.quote(passage(act("AMI", 1, group="5bis"), act("AMI", 1, group="5bis"),
                             act("AMI", 3), place="cabinet"))
    assert not any("NGAP-11B-X2" in w for w in q.warnings)
    assert [(ln.coefficient, ln.rate) for ln in q.lines if ln.code == "AMI"][0] == (D(3), 1)


def test_readings_and_ngap_md_uncertain_items_agree():
    """Every rule a reading decides is UNCERTAIN somewhere in ngap.md, and every
    UNCERTAIN rule of the engine has its reading."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "domain" / "ngap.md").read_text("utf-8")
    items: dict[str, str] = {}  # "- RULE-ID: …" with its indented continuation lines
    current = None
    for ln in doc.splitlines():
        if ln.startswith("- ") and ln[2:].strip():
            current = ln[2:].split()[0].rstrip(":")
            items[current] = items.get(current, "") + ln
        elif current and ln.startswith("  "):
            items[current] += ln
        else:
            current = None
    for reading in R.READINGS:
        assert "UNCERTAIN" in items.get(reading.rule_id, ""), reading.rule_id
    uncertain = {rid for rid, rule in R.RULES.items() if rule.status == "UNCERTAIN"}
    assert uncertain <= {r.rule_id for r in R.READINGS}


def test_ngap_23_2_3_ngap_13_2_care_in_an_ehpad():
    """EHPAD: travel due (IFD), no MCI for a heavy dressing (NGAP-23.2-3), one
    travel for several residents of the same trip (NGAP-13-2)."""
    heavy = act("AMI", 4, tags=["pansement_lourd_complexe"])
    first = engine.quote(passage(heavy, place="ehpad", distance_km=D(0)))
    assert "IFD" in codes(first) and "MCI" not in codes(first)
    assert any("Pas de MCI en EHPAD (NGAP-23.2-3)" in n for n in first.notes)
    at_home = engine.quote(passage(heavy, place="domicile", distance_km=D(0)))
    assert "MCI" in codes(at_home)
    second = engine.quote(passage(act("AMI", 1), place="ehpad", distance_km=D(0),
                                  shared_travel_with_previous_patient=True))
    assert "IFD" not in codes(second) and "IK" not in codes(second)


def test_had_and_ssiad_patients_are_refused_with_a_clear_message():
    import pytest

    from billing.ngap.model import QuoteError

    for structure, name in (("had", "HAD"), ("ssiad", "SSIAD")):
        with pytest.raises(QuoteError) as exc:
            engine.quote(passage(act("AMI", 2), structure=structure, **HOME))
        assert exc.value.field == "structure" and name in exc.value.message
        assert "payés par la structure" in exc.value.message
    status, out = _command({**BASE, "structure": "had"})
    assert status == 2 and out["field"] == "structure" and "HAD" in out["error"]
    status, out = _command({**BASE, "place": "ehpad"})
    assert status == 0 and "MCI" not in [ln["code"] for ln in out["lines"]]
    status, out = _command({**BASE, "structure": "clinique"})
    assert status == 2 and out["field"] == "structure"


def test_the_cotation_page_refuses_a_had_patient_at_the_field(personas):
    from django.urls import reverse

    from tests.billing.test_views import post_data

    response = personas.client("nadia").post(reverse("billing:quote"),
                                             post_data(structure="had"))
    assert response.status_code == 400
    assert "payés par la structure" in response.content.decode()
    ehpad = personas.client("nadia").post(reverse("billing:quote"), post_data(place="ehpad"))
    assert ehpad.status_code == 200
