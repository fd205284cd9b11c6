from django.urls import reverse

from core.navigation import items_for


def test_home_shows_role(personas):
    html = personas.client("julie").get(reverse("home")).content.decode()
    assert "Remplaçant(e)" in html


def test_navigation_only_lists_allowed_entries(personas):
    for name in ("claire", "julie", "nadia", "admin"):
        user = getattr(personas, name)
        for item in items_for(user):
            client = personas.client(name)
            assert client.get(item["url"]).status_code == 200, (name, item)


def test_csp_header_forbids_inline_scripts(personas):
    response = personas.client("claire").get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()
