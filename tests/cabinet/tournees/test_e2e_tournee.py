"""In a real browser: a nurse logs in, optimises tomorrow's tournée, opens
"Ma journée" at phone size, marks a visit done, the next one not done, and
re-plans the rest of the day from her position."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cabinet.models import Visit
from cabinet.models.visits import VisitStatus
from tests.e2e import browser_login

pytestmark = pytest.mark.e2e


def test_nurse_optimises_tomorrow_then_marks_a_visit_done_on_her_phone(
    browser, live_server, transactional_demo, settings
):
    settings.ROUTING_TIME_LIMIT_S = 0.5
    tomorrow = timezone.localdate() + timedelta(days=1)
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    browser_login(desk, live_server, "claire")
    desk.goto(f"{live_server.url}/cabinet/tournees/?jour={tomorrow.isoformat()}")
    desk.locator("#optimise-my-day").click()
    desk.wait_for_url("**/cabinet/tournees/*/")
    assert desk.get_by_text("Après", exact=True).is_visible()
    assert desk.locator("svg.route-svg").is_visible()
    desk.locator("#accept").click()
    desk.wait_for_selector("text=acceptée")

    # The same session on the phone: "Ma journée".
    phone = desk.context.browser.new_context(
        viewport={"width": 360, "height": 740}, storage_state=desk.context.storage_state(),
        geolocation={"latitude": 47.3905, "longitude": 0.6890}, permissions=["geolocation"])
    page = phone.new_page()
    page.goto(f"{live_server.url}/cabinet/ma-journee/?jour={tomorrow.isoformat()}")
    first = page.locator("article.visit-next")
    assert first.is_visible()
    assert first.get_by_role("link", name="Y aller (GPS)").get_attribute("href").startswith("geo:")
    visit_pk = int(first.get_attribute("id").split("-")[1])
    first.get_by_role("button", name="Fait").click()
    page.wait_for_selector("text=noté fait")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    visit = Visit.objects.get(pk=visit_pk)
    assert visit.status == VisitStatus.DONE and visit.performed_acts == visit.acts

    # The next patient is absent: noted in two taps, then the rest of the day
    # is re-planned from the phone's position.
    following = page.locator("article.visit-next")
    absent_pk = int(following.get_attribute("id").split("-")[1])
    assert absent_pk != visit_pk
    following.locator("summary", has_text="Non fait").click()
    following.get_by_label("Motif").select_option("absent")
    following.get_by_role("button", name="Noter non fait").click()
    page.wait_for_selector("text=noté non fait")
    page.get_by_role("button", name="Re-planifier la suite").first.click()
    page.wait_for_selector("text=re-planifiée")
    assert Visit.objects.get(pk=absent_pk).status == VisitStatus.NOT_DONE
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()
    desk.close()
