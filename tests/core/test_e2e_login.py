import pytest

pytestmark = pytest.mark.e2e


def test_login_and_home_on_a_phone(browser, live_server, transactional_demo):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/")
    assert "/connexion/" in page.url
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill("demo-cabinet")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Bonjour Claire").is_visible()
    # Nothing wider than the phone's screen: no horizontal scrolling.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.close()
