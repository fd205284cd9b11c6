"""The protocol data files and their strict loader (R-PAPH-10, R-ASA-10: protocols as data)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cooperation import catalogue
from cooperation.catalogue import CatalogueError, load_protocol

DOCS = Path(__file__).resolve().parents[2] / "docs" / "domain" / "cooperation.md"
DOC_RULES = set(re.findall(r"^- (R-[A-Z]+-\d+):", DOCS.read_text(), flags=re.M))


def test_both_required_protocols_are_loaded():
    ids = [p.id for p in catalogue.protocols()]
    assert ids[:2] == ["pa-ph", "asalee"]


def test_every_rule_cited_by_the_data_exists_in_the_rules_document():
    for protocol in catalogue.protocols():
        unknown = [r for r in protocol.rules() if r not in DOC_RULES]
        assert not unknown, (protocol.id, unknown)
    for rule in catalogue.delegation().rules:
        assert rule.rule in DOC_RULES
        assert set(rule.also_rules) <= DOC_RULES


def test_r_paph_22_to_27_delegated_acts_are_data():
    protocol = catalogue.get("pa-ph")
    rules = {a.rule for a in protocol.acts}
    assert {"R-PAPH-22", "R-PAPH-23", "R-PAPH-24", "R-PAPH-25", "R-PAPH-26",
            "R-PAPH-27"} <= rules
    assert protocol.follow_up.act == "suivi-mensuel"
    assert protocol.follow_up.nurse_visits_per_year == 12  # R-PAPH-7


def test_r_paph_8_remuneration_shares():
    rem = catalogue.get("pa-ph").remuneration
    assert (rem.forfait_total, rem.nurse_share, rem.doctor_share) == (370, 310, 60)


def test_r_asa_13_new_themes_are_not_derogatory():
    protocol = catalogue.get("asalee")
    assert not protocol.billable_ngap  # R-ASA-18
    education = protocol.act("asalee-education")
    assert education.derogatory is False
    derogatory = {a.rule for a in protocol.acts if a.derogatory}
    assert derogatory == {"R-ASA-3", "R-ASA-4", "R-ASA-5", "R-ASA-6"}


def test_r_tls_6_delegation_table():
    table = catalogue.delegation()
    assert table.rule_for(nature="medical", delegate="health_professional").allowed
    assert not table.rule_for(nature="medical", delegate="third_party").allowed
    third = table.rule_for(nature="non_medical", delegate="third_party")
    assert third.allowed and third.rule == "R-TLS-7" and third.checklist
    assert table.activity("prefiltrage-alertes").nature == "non_medical"


def _write(tmp_path, text: str, name: str = "pa-ph.toml") -> Path:
    source = (catalogue.DATA_DIR / "pa-ph.toml").read_text()
    path = tmp_path / name
    path.write_text(text.replace("%SOURCE%", source))
    return path


def test_loader_accepts_the_shipped_file(tmp_path):
    assert load_protocol(_write(tmp_path, "%SOURCE%")).id == "pa-ph"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: "surprise = 1\n" + s, "inconnue"),
        (lambda s: s.replace('short_title = "PA-PH (2022)"\n', ""), "short_title"),
        (lambda s: s.replace('fact = "patient.has_bsi"', 'fact = "patient.bsi_level"'),
         "fait inconnu"),
        (lambda s: s.replace('rule = "R-PAPH-4"', 'rule = "PAPH-4"'), "règle invalide"),
        (lambda s: s.replace("order = 10", 'order = "10"'), "type invalide"),
        (lambda s: s.replace('test = "below"', 'test = "is_true"'), "ne s'applique pas"),
        (lambda s: s.replace('nurse_share = "310.00"', 'nurse_share = "300.00"'), "parts"),
        (lambda s: s.replace('act = "suivi-mensuel"', 'act = "inconnu"'), "inconnu"),
        (lambda s: s + "\n[[criteria]]\nrule = \"R-PAPH-5\"\nkind = \"exclusion\"\nlabel = \"x\"\n",
         "exactement une"),
    ],
)
def test_loader_is_strict(tmp_path, edit, message):
    source = (catalogue.DATA_DIR / "pa-ph.toml").read_text()
    path = tmp_path / "pa-ph.toml"
    path.write_text(edit(source))
    with pytest.raises(CatalogueError, match=message):
        load_protocol(path)


def test_loader_refuses_a_file_named_differently_from_its_id(tmp_path):
    with pytest.raises(CatalogueError, match="nom du fichier"):
        load_protocol(_write(tmp_path, "%SOURCE%", name="autre.toml"))


def test_loader_refuses_invalid_toml(tmp_path):
    with pytest.raises(CatalogueError, match="TOML invalide"):
        load_protocol(_write(tmp_path, "id = "))
