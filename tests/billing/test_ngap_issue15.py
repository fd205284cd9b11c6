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
