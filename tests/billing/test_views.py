"""The billing pages: NGAP catalogue (live search), cotation of a passage with
each line explained, the rules page; French errors at the field."""

from __future__ import annotations

import re
from html import unescape

from django.urls import reverse

from billing.ngap import rules as R
from core.navigation import items_for


def test_catalogue_search_page_and_htmx_results(personas):
    client = personas.client("nadia")
    page = client.get(reverse("billing:catalogue"), {"q": "4,5"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "XVI-1-6-VESSNEUR" in html and 'id="catalogue-results"' in html
    assert "<script>" not in html  # CSP: no inline script
    partial = client.get(reverse("billing:catalogue"), {"q": "escarre"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body and "XVI-1-3-ESCARRE" in body
    assert 'class="catalogue-pick"' in body
    empty = client.get(reverse("billing:catalogue"), {"q": "zzzz"}, HTTP_HX_REQUEST="true")
    assert "Aucun acte ne correspond" in empty.content.decode()


def test_navigation_entries(personas):
    for name in ("claire", "julie", "nadia"):
        labels = [i["label"] for i in items_for(getattr(personas, name))]
        assert "Nomenclature" in labels and "Cotation" in labels
    admin_labels = [i["label"] for i in items_for(personas.admin)]
    assert "Nomenclature" not in admin_labels


def post_data(**overrides):
    data = {
        "date": "2026-03-10", "time": "10:00", "place": "domicile", "zone": "plaine",
        "distance_km": "1.5", "same_agglomeration": "on", "birth_date": "1948-05-12",
        "bsi_level": "", "coverage": "standard", "ik_km_already_billed_today": "0",
        "acts-TOTAL_FORMS": "5", "acts-INITIAL_FORMS": "0", "acts-MIN_NUM_FORMS": "0",
        "acts-MAX_NUM_FORMS": "10",
        "acts-0-key": "AMI", "acts-0-coefficient": "4", "acts-0-nature": "pansement_lourd_complexe",
        "acts-1-key": "AMI", "acts-1-coefficient": "1", "acts-1-nature": "injection",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_quote_explains_each_line(personas):
    client = personas.client("nadia")
    assert client.get(reverse("billing:quote")).status_code == 200
    response = client.post(reverse("billing:quote"), post_data())
    html = unescape(response.content.decode())
    assert response.status_code == 200, html
    # P02: AMI 4 + AMI 1/2 + IFD + MCI = 21,93 €
    assert "21,93" in html and "12,60" in html and "1,58" in html
    rules_url = reverse("billing:rules")
    assert f'href="{rules_url}#NGAP-11B-1"' in html
    assert f'href="{rules_url}#NGAP-23-2-1"' in html  # MCI
    assert R.RULES["NGAP-11B-1"].text in html  # the French description on the page
    assert "<script>" not in html


def test_quote_with_catalogue_acts_and_htmx(personas):
    client = personas.client("claire")
    data = post_data(**{"acts-0-key": None, "acts-0-coefficient": None, "acts-0-nature": None,
                        "acts-0-act": "XVI-1-1-PVD", "acts-1-key": None,
                        "acts-1-coefficient": None, "acts-1-nature": None,
                        "place": "cabinet", "same_agglomeration": None, "distance_km": "0"})
    response = client.post(reverse("billing:quote"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="quote-panel"' in html
    assert "4,73" in html and "MAU" in html and "6,08" in html


def test_quote_prefills_an_act_from_the_catalogue(personas):
    html = personas.client("julie").get(reverse("billing:quote"), {"act": "XVI-1-3-ESCARRE"}
                                        ).content.decode()
    assert re.search(r'<input type="text" name="acts-0-act" value="XVI-1-3-ESCARRE"', html)


def test_quote_page_lists_the_nomenclature_once_for_all_its_rows(personas):
    """One shared list for the act fields, not a drop-down of the whole
    nomenclature repeated in each row."""
    from billing.forms import catalogue_options

    html = personas.client("nadia").get(reverse("billing:quote")).content.decode()
    assert html.count('list="quote-acts"') == 5
    assert html.count('<datalist id="quote-acts">') == 1
    first_act = catalogue_options()[0][0]
    assert html.count(f'<option value="{first_act}"') == 1
    assert len(html) < 60 * 1024


def test_quote_errors_in_french_at_the_field(personas):
    client = personas.client("nadia")
    response = client.post(reverse("billing:quote"), post_data(distance_km="-3", date=None))
    html = response.content.decode()
    assert response.status_code == 400
    assert "La distance ne peut pas être négative." in html
    assert "Ce champ est obligatoire." in html
    no_acts = client.post(reverse("billing:quote"), post_data(
        **{"acts-0-key": None, "acts-0-coefficient": None, "acts-0-nature": None,
           "acts-1-key": None, "acts-1-coefficient": None, "acts-1-nature": None}))
    assert "Saisissez au moins un acte." in no_acts.content.decode()
    no_key = client.post(reverse("billing:quote"), post_data(**{"acts-0-key": ""}))
    assert "Choisissez la lettre-clé de ce coefficient." in no_key.content.decode()
    old = client.post(reverse("billing:quote"), post_data(date="2010-01-01"))
    assert "Aucun tarif n'est connu avant le 27/05/2012." in unescape(old.content.decode())
    born_later = client.post(reverse("billing:quote"), post_data(birth_date="2027-01-01"))
    assert "postérieure à la date des soins" in born_later.content.decode()
    too_early_for_bsi = client.post(reverse("billing:quote"), post_data(
        date="2015-01-01", **{"acts-0-key": "BSB", "acts-0-coefficient": None,
                              "acts-0-nature": None}))
    assert too_early_for_bsi.status_code == 400
    assert "BSB n'existe pas à cette date" in unescape(too_early_for_bsi.content.decode())
    htmx = client.post(reverse("billing:quote"), post_data(distance_km="-3"),
                       HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and "La distance ne peut pas être négative." in htmx.content.decode()


def test_rules_page_lists_every_rule_with_its_anchor(personas):
    html = personas.client("nadia").get(reverse("billing:rules")).content.decode()
    for rule in R.RULES.values():
        assert f'id="{rule.anchor}"' in html
    assert "Lecture appliquée" in html and "incertaine" in html


def test_s_input_1_a_forged_form_count_builds_ten_forms_at_most(personas):
    """A forged TOTAL_FORMS used to make Django build and render a thousand act
    forms (about 20 s for one request) before refusing them."""
    response = personas.client("nadia").post(
        reverse("billing:quote"), post_data(**{"acts-TOTAL_FORMS": "99999999999999999999"}))
    html = response.content.decode()
    assert response.status_code == 400
    assert "au plus 10 formulaires" in unescape(html)
    assert 'name="acts-10-key"' not in html
