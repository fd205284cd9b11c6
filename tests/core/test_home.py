import re
from pathlib import Path

from django.conf import settings
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


def test_s_deploy_2_csp_header_forbids_inline_scripts_and_remote_origins(personas):
    response = personas.client("claire").get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()
    for directive in csp.split("; "):
        sources = directive.split()[1:]
        assert set(sources) <= {"'self'", "'none'", "data:"}, directive


def test_s_deploy_2_no_template_loads_an_asset_from_another_origin():
    remote = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=\"(https?:)?//", re.I)
    templates = [path for path in Path(settings.BASE_DIR).glob("**/templates/**/*.html")
                 if ".venv" not in path.parts]
    assert len(templates) > 50
    offenders = [str(path.relative_to(settings.BASE_DIR)) for path in templates
                 if remote.search(path.read_text("utf-8"))]
    assert not offenders
