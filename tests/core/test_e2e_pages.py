"""Each role's home page and every page of its menu, on a 360 px phone and on a
desktop screen: nothing wider than the screen, no serious or critical axe-core
violation (both checked by the `browser` fixture on each page), the menu folds
behind one button on the phone and works with the keyboard alone."""

import pytest

from core.navigation import items_for
from tests.e2e import audit_page, browser_login, save_screenshot

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
# A card of the role's home page, and the page its link opens (issue 16).
CARD_LINK = {
    "julie": ("Mon remplacement", "Ma rétrocession", "Rétrocession"),
    "nadia": ("Facturation", "restant dus", "Factures impayées"),
}


@pytest.mark.parametrize("username", ["claire", "julie", "nadia", "admin"])
def test_every_menu_page_of_each_role_fits_the_screen_and_passes_axe(
    browser, live_server, transactional_demo, username
):
    user = getattr(transactional_demo, username)
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = browser.new_page(viewport=viewport)
        browser_login(page, live_server, username)
        save_screenshot(page, f"home-{username}-{size}")
        if username in CARD_LINK:
            heading, link, title = CARD_LINK[username]
            card = page.locator("section.home-card").filter(
                has=page.get_by_role("heading", name=heading))
            assert card.is_visible()
            card.get_by_role("link", name=link).first.click()
            assert page.get_by_role("heading", level=1).inner_text().startswith(title)
        for item in items_for(user):
            response = page.goto(f"{live_server.url}{item['url']}")
            assert response.status == 200, item
        page.close()


def test_phone_menu_folds_behind_one_button_and_works_with_the_keyboard(
    browser, live_server, transactional_demo
):
    page = browser.new_page(viewport=PHONE)
    browser_login(page, live_server, "claire")
    patients = page.locator(".main-nav").get_by_role("link", name="Patients")
    assert not patients.is_visible()
    # Keyboard only: the skip link first, then the brand, then the menu button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    # The focus is visible: an outline is drawn around the focused element.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert patients.is_visible()
    audit_page(page)
    save_screenshot(page, "menu-claire-phone")
    page.keyboard.press("Escape")
    assert not patients.is_visible()
    page.close()

    page = browser.new_page(viewport=DESKTOP)
    browser_login(page, live_server, "claire")
    assert page.locator(".main-nav").get_by_role("link", name="Patients").is_visible()
    assert not page.locator(".menu-toggle").is_visible()
    page.close()


@pytest.mark.parametrize("size,viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_my_day_first_done_button_is_within_the_first_screen(
    browser, live_server, transactional_demo, size, viewport
):
    page = browser.new_page(viewport=viewport)
    browser_login(page, live_server, "claire")
    page.goto(f"{live_server.url}/cabinet/ma-journee/")
    done = page.locator("article.visit-next").get_by_role("button", name="Fait", exact=True)
    box = done.bounding_box()
    assert box is not None, "no visit left to do today in the demo"
    save_screenshot(page, f"ma-journee-{size}")
    # Entirely within the first screen, without scrolling.
    assert page.evaluate("window.scrollY") == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    page.close()


def test_ticking_a_nurse_absent_unticks_her_on_duty_box(browser, live_server, transactional_demo):
    """Issue 16 item 5, in the browser, with the keyboard only."""
    claire = transactional_demo.claire.pk
    page = browser.new_page(viewport=PHONE)
    browser_login(page, live_server, "marc")
    page.goto(f"{live_server.url}/cabinet/tournees/")
    on_duty = page.locator(f'#dispatch-form input[name="nurses"][value="{claire}"]')
    absent = page.locator(f'#dispatch-form input[name="absent"][value="{claire}"]')
    on_duty.check()
    absent.focus()
    page.keyboard.press("Space")
    assert absent.is_checked() and not on_duty.is_checked()
    on_duty.focus()
    page.keyboard.press("Space")
    assert on_duty.is_checked() and not absent.is_checked()
    page.close()
