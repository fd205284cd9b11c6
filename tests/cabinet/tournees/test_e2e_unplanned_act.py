"""In a real browser on a 360 px phone: in « Ma journée » a nurse adds, with
the keyboard, an act she did that was not planned; the type-ahead offers the
prescription's acts first; saving re-prices the séance and the page tells the
new cotation, the act marked off the prescription."""

from decimal import Decimal

import pytest

from billing.models import Seance
from cabinet.models import Visit
from tests.e2e import browser_login

from .helpers import claire_visit, tomorrow

pytestmark = pytest.mark.e2e


def test_nurse_adds_an_unplanned_act_with_the_keyboard_on_her_phone(
    browser, live_server, transactional_demo
):
    visit = claire_visit()
    page = browser.new_page(viewport={"width": 360, "height": 740})
    browser_login(page, live_server, "claire")
    page.goto(f"{live_server.url}/cabinet/ma-journee/?jour={tomorrow().isoformat()}")
    card = page.locator(f"#visit-{visit.pk}")
    card.locator("summary", has_text="Actes réalisés").focus()
    page.keyboard.press("Enter")
    field = card.get_by_label("Ajouter un acte réalisé")
    field.focus()
    # On focus the type-ahead lists the prescription's acts.
    options = card.locator(f"#acts-{visit.pk} option")
    options.first.wait_for(state="attached")
    assert options.first.inner_text().startswith("Prescrit : ")
    page.keyboard.type("AMI4.1")
    page.wait_for_function(
        "id => [...document.querySelectorAll(`#acts-${id} option`)]"
        ".some(o => o.textContent.startsWith('AMI 4,1'))", arg=visit.pk)
    page.keyboard.press("Enter")
    message = page.locator(".messages li", has_text="cotation")
    message.wait_for()
    seance = Seance.objects.get(visit=visit)
    assert any(line.code == "AMI" and line.coefficient == Decimal("4.1") for line in seance.lines.all())
    assert "AMI 4,1" in message.inner_text()
    assert page.locator(f"#visit-{visit.pk}").get_by_text("hors ordonnance").first.is_visible()
    assert Visit.objects.get(pk=visit.pk).performed_acts[-1]["unplanned"] is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.close()
