"""cabinet.acts_catalogue — the one reading of an act typed by hand (the
secretary's entry, « Ajouter un acte réalisé » in « Ma journée ») and the
comparison of two acts (is the added act on the prescription, AUD-1)."""

from decimal import Decimal

import pytest

from cabinet import acts_catalogue as acts


@pytest.mark.parametrize("typed", ["AMI 4,1", "AMI4.1", "ami 4.1", " AMI  4,10 "])
def test_a_key_and_its_coefficient(typed):
    assert acts.parse(typed) == {"catalogue_id": "", "key": "AMI", "coefficient": "4.1",
                                 "label": "", "ald_zone": ""}


def test_a_catalogue_code_or_an_option_label_takes_the_catalogue_act():
    act = acts.parse("XVI-1-1-IM — Injection intramusculaire")
    assert (act["catalogue_id"], act["key"], act["coefficient"]) == ("XVI-1-1-IM", "AMI", "1")
    assert act["label"] == "Injection intramusculaire"
    assert acts.parse("xvi-1-1-im", Decimal("1.5"))["coefficient"] == "1.5"


def test_a_forfait_has_no_coefficient():
    assert acts.parse("BSA")["coefficient"] is None


@pytest.mark.parametrize("typed, field, message", [
    ("ZZZ 9", "act", "Acte inconnu"),
    ("injection", "act", "Acte inconnu"),
    ("AMI", "coefficient", "Indiquez le coefficient de l'acte AMI."),
    ("AMI 200", "coefficient", "Coefficient invraisemblable."),
])
def test_what_cannot_be_read_is_said_in_french_at_its_field(typed, field, message):
    with pytest.raises(acts.ActInputError) as refused:
        acts.parse(typed)
    assert refused.value.field == field and message in refused.value.message


def test_nothing_typed_is_no_act():
    assert acts.parse("  ") is None
    with pytest.raises(acts.ActInputError):
        acts.parse("", Decimal(2))


def test_same_act_by_code_else_by_key_and_coefficient():
    im = acts.parse("XVI-1-1-IM")
    assert acts.same_act(im, {"key": "AMI", "coefficient": "1.0"})
    assert not acts.same_act(im, acts.parse("XVI-1-1-SC"))
    assert not acts.same_act(acts.parse("AMI 4"), {"key": "AMI", "coefficient": "1"})


def test_options_put_the_prescribed_acts_first_without_repeating_them():
    prescribed = [{"catalogue_id": "XVI-1-1-SC", "key": "AMI", "coefficient": "1"},
                  {"catalogue_id": "", "key": "AMI", "coefficient": Decimal("4.00")}]
    options = acts.options("injection sous-cutanee", prescribed)
    assert [v for v, _ in options[:2]] == ["XVI-1-1-SC", "AMI 4"]
    assert [v for v, _ in options].count("XVI-1-1-SC") == 1
    assert len(options) > 2
    assert options[1][1] == "Prescrit : AMI 4"
