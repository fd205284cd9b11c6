"""The dated tariff file and its strict loader (OpenFisca style)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing.ngap import tariffs
from billing.ngap.tariffs import TariffError, loads

MINI = """
schema = 1
[territories.metropole]
label = "Métropole"
[parameters.AMI]
label = "AMI"
[parameters.AMI.metropole]
"2012-05-27" = { value = "3.15", source = "Avenant 3" }
{extra}
"""


def table(extra: str = ""):
    return loads(MINI.replace("{extra}", extra))


def test_project_tariffs_load_and_cover_every_code_the_engine_uses():
    t = tariffs.load()
    snap = t.at("metropole", date(2026, 3, 10))
    for code in ("AMI", "AMX", "AIS", "DI", "BSA", "BSB", "BSC", "TMI", "TLS", "TLL", "TLD",
                 "MAU", "MCI", "MIE", "NUIT", "NUIT_PROF", "DIM", "IFD", "IFI", "IK_PLAINE",
                 "IK_MONTAGNE", "IK_PIED_SKI", "IK_SEUIL_PLAINE", "IK_ABATTEMENT_PLAINE",
                 "IK_PLAFOND_TAUX_PLEIN_KM", "IK_PLAFOND_DEMI_TAUX_KM", "AMO_TAUX",
                 "AMO_TAUX_EXONERE"):
        assert code in snap, code
        assert snap.get(code).source
    assert snap.value("AMI") == Decimal("3.15")
    assert snap.value("IFD") == Decimal("2.75")
    assert t.first_date_of("metropole") == date(2012, 5, 27)


def test_dom_structure_inherits_metropole():
    t = tariffs.load()
    dom = t.at("dom", date(2026, 3, 10))
    assert dom.value("AMI") == Decimal("3.30")
    assert dom.value("MAU") == Decimal("1.35")  # inherited
    assert dom.get("BSB").status == "UNCERTAIN"


def test_values_in_force_on_the_date_of_care():
    t = tariffs.load()
    assert t.at("metropole", date(2024, 1, 27)).value("IFD") == Decimal("2.50")
    assert t.at("metropole", date(2024, 1, 28)).value("IFD") == Decimal("2.75")
    assert t.at("metropole", date(2018, 7, 31)).value("DIM") == Decimal("8.00")
    assert t.at("metropole", date(2018, 8, 1)).value("DIM") == Decimal("8.50")
    assert "BSB" not in t.at("metropole", date(2019, 12, 31))
    with pytest.raises(TariffError):
        t.at("metropole", date(2012, 5, 26))
    assert [v.since for v in t.history("IFD")] == [date(2012, 5, 27), date(2024, 1, 28)]


def test_a_new_dated_value_applies_from_its_date_only():
    t = table('"2026-11-01" = { value = "3.30", source = "Avenant 11 (hypothèse)" }')
    assert t.at("metropole", date(2026, 10, 31)).value("AMI") == Decimal("3.15")
    assert t.at("metropole", date(2026, 11, 1)).value("AMI") == Decimal("3.30")
    assert t.at("metropole", date(2026, 11, 1)).effective == date(2026, 11, 1)


@pytest.mark.parametrize("extra", [
    '"2012-05-27" = { value = "3.20", source = "doublon" }',  # same key twice (TOML)
    '"2012-5-27" = { value = "3.20", source = "même date, autre écriture" }',
    '"2012-02-30" = { value = "3.20", source = "date impossible" }',
    '"27/05/2013" = { value = "3.20", source = "format" }',
    '"2013-01-01" = { value = 3.20, source = "float" }',
    '"2013-01-01" = { value = "trois", source = "texte" }',
    '"2013-01-01" = { value = "3.20" }',
    '"2013-01-01" = { value = "3.20", source = "x", status = "PEUT-ETRE" }',
    '"2013-01-01" = { value = "3.20", source = "x", extra = 1 }',
])
def test_strict_loader_refuses_bad_entries(extra):
    with pytest.raises(TariffError):
        table(extra)


def test_strict_loader_refuses_bad_structure():
    with pytest.raises(TariffError):
        loads("schema = 2\n[territories.metropole]\n[parameters.AMI.metropole]\n"
              '"2012-05-27" = { value = "3.15", source = "x" }')
    with pytest.raises(TariffError):
        loads("schema = 1\n[territories.metropole]\n[parameters.AMI.guyane]\n"
              '"2012-05-27" = { value = "3.15", source = "x" }')
    with pytest.raises(TariffError):
        loads("schema = 1\n[territories.metropole]\n[territories.dom]\ninherits = \"lune\"\n"
              "[parameters.AMI.metropole]\n" '"2012-05-27" = { value = "3.15", source = "x" }')
    with pytest.raises(TariffError):
        loads("schema = 1\n[territories.metropole]\ninherits = \"dom\"\n[territories.dom]\n"
              "inherits = \"metropole\"\n[parameters.AMI.metropole]\n"
              '"2012-05-27" = { value = "3.15", source = "x" }')


THRESHOLDS = {"MAU_COEFFICIENT_MAX": "coefficient", "MIE_AGE_MAX": "ans", "NUIT_DEBUT": "heure",
              "NUIT_PROF_DEBUT": "heure", "NUIT_PROF_FIN": "heure", "NUIT_FIN": "heure"}


def test_thresholds_are_dated_parameters_with_their_text():
    """NGAP-23.1-1, NGAP-MIE-1, NGAP-14-4: the thresholds of the majorations
    are dated values with their source, like the tariffs."""
    t = tariffs.load()
    for code, unit in THRESHOLDS.items():
        param = t.parameters[code]
        assert param.unit == unit
        for value in t.history(code):
            assert value.source and value.since <= date(2020, 1, 1)
    snap = t.at("metropole", date(2026, 3, 10))
    assert snap.value("MAU_COEFFICIENT_MAX") == Decimal("1.5")
    assert [snap.value(c) for c in ("NUIT_DEBUT", "NUIT_PROF_DEBUT", "NUIT_PROF_FIN",
                                    "NUIT_FIN")] == [20, 23, 5, 8]
    assert snap.value("MIE_AGE_MAX") == 7


def test_ngap_23_1_1_the_engine_reads_the_mau_threshold_from_the_dated_data():
    from billing.ngap import engine
    from tests.billing.ngap_helpers import D, act, codes, passage

    text = tariffs.DATA_FILE.read_text("utf-8")
    raised = loads(text.replace(
        '"2012-05-27" = { value = "1.5", source = "NGAP DG art. 23.1',
        '"2012-05-27" = { value = "2", source = "NGAP DG art. 23.1'))
    p = passage(act("AMI", D(2)), place="cabinet")
    assert "MAU" not in codes(engine.quote(p))
    assert "MAU" in codes(engine.quote(p, raised))


def test_ngap_14_4_the_engine_reads_the_night_bands_from_the_dated_data():
    from billing.ngap import engine
    from tests.billing.ngap_helpers import D, act, codes, passage

    text = tariffs.DATA_FILE.read_text("utf-8")
    later = loads(text.replace(
        '"2012-05-27" = { value = "20", source = "NGAP DG art. 14',
        '"2012-05-27" = { value = "21", source = "NGAP DG art. 14'))
    p = passage(act("AMI", D(2)), at="20:30", urgent_night_prescribed=True)
    assert "NUIT" in codes(engine.quote(p))
    assert "NUIT" not in codes(engine.quote(p, later))
