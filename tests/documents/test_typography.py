import datetime as dt
from decimal import Decimal

from django.template import Context, Template

from documents.typography import NBSP, NNBSP, amount, french, long_date


def test_non_breaking_spaces_before_high_punctuation():
    assert french("Objet : relevé ; merci ! Vraiment ?") == (
        f"Objet{NBSP}: relevé{NNBSP}; merci{NNBSP}! Vraiment{NNBSP}?"
    )


def test_quotes_become_guillemets_with_non_breaking_spaces():
    assert french('le "contrat" signé') == f"le «{NBSP}contrat{NBSP}» signé"
    assert french("« déjà »") == f"«{NBSP}déjà{NBSP}»"


def test_urls_and_times_keep_their_colons():
    assert french("https://exemple.fr à 10:30") == "https://exemple.fr à 10:30"


def test_apostrophes_are_typographic():
    assert french("l'infirmière") == "l’infirmière"


def test_amounts_in_french():
    assert amount(Decimal("1234.5")) == f"1{NNBSP}234,50{NBSP}€"
    assert amount(Decimal("1234567.891")) == f"1{NNBSP}234{NNBSP}567,89{NBSP}€"
    assert amount(Decimal("0.005")) == f"0,01{NBSP}€"  # half up
    assert amount(Decimal("-12")) == f"−12,00{NBSP}€"
    assert amount(None) == ""


def test_long_dates_say_premier():
    assert long_date(dt.date(2026, 1, 1)) == f"1er{NBSP}janvier 2026"
    assert long_date(dt.date(2026, 3, 15)) == f"15{NBSP}mars 2026"


def test_filter_escapes_user_text():
    html = Template("{% load french_typography %}{{ v|typo_fr }}").render(
        Context({"v": "<b>Dupont</b> : ok"})
    )
    assert html == f"&lt;b&gt;Dupont&lt;/b&gt;{NBSP}: ok"
