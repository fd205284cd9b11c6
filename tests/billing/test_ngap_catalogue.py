"""The NGAP Titre XVI catalogue (copied from the shared data) and its search."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from billing.ngap import catalogue
from billing.ngap.catalogue import search

# The reference folder beside the project (the suite runs on the copies without it).
SHARED = Path(__file__).resolve().parents[3] / "shared"


def test_catalogue_has_the_116_acts_with_their_properties():
    acts = catalogue.load()
    assert len(acts) == 116
    pvd = acts["XVI-1-1-PVD"]
    assert (pvd.key, pvd.coefficient, pvd.exempt_from_decote, pvd.bsi_full_rate) == (
        "AMI", Decimal("1.5"), True, True)
    assert acts["XVI-2-3-PERFCOURT"].group == "perfusion"
    assert acts["XVI-2-5BIS-PANSDIAB"].mci_eligible
    assert {a.status for a in acts.values()} == {"VERIFIED", "UNCERTAIN"}


def test_catalogue_is_a_copy_of_the_shared_data():
    shared = SHARED / "data" / "ngap_titre_xvi.csv"
    if not shared.exists():
        pytest.skip("shared folder absent")
    assert shared.read_text("utf-8") == catalogue.DATA_FILE.read_text("utf-8")
    with shared.open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(catalogue.load())


def ids(results):
    return [a.id for a in results]


def test_search_by_id():
    assert ids(search("XVI-1-1-PVD")) == ["XVI-1-1-PVD"]
    assert ids(search("xvi-1-1-pvd")) == ["XVI-1-1-PVD"]
    assert all(i.startswith("XVI-2-3") for i in ids(search("XVI-2-3")))


@pytest.mark.parametrize("query", ["4,5", "4.5", "AMI 4,5", "ami4,5"])
def test_search_by_coefficient(query):
    assert ids(search(query)) == ["XVI-1-6-VESSNEUR"]


def test_search_by_key_and_coefficient():
    results = search("AMI 4")
    assert results and all(a.key == "AMI" and a.coefficient == 4 for a in results)
    assert "XVI-1-3-ESCARRE" in ids(results)
    assert ids(search("BSB")) == ["XVI-1-12-BSB"]
    assert {a.key for a in search("AIS")} == {"AIS"}


def test_search_by_words_accent_insensitive():
    assert "XVI-1-3-ESCARRE" in ids(search("escarre"))
    assert ids(search("prelevement veineux")) == ids(search("Prélèvement VEINEUX"))
    assert "XVI-1-1-PVD" in ids(search("prélèvement ponction"))
    assert "XVI-1-3-ULCERE60" in ids(search("ulcere greffe"))
    assert ids(search("œuvre")) == ids(search("oeuvre")) == ["XVI-1-10-SURVTTT"]
    assert "XVI-1-12-BSC" in ids(search("charge lourd"))


def test_search_combines_terms_and_limits():
    results = search("injection 1")
    assert results and all(a.coefficient == 1 for a in results)
    assert len(search("", limit=5)) == 5
    assert search("zzzz introuvable") == []
