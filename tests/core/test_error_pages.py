"""What a newcomer sees on an error: the product's own French 404, 403 and 500
pages (never Django's English debug page), and the `make run` settings that
serve the demo with DEBUG off over plain HTTP on this computer only."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path

from cabinet.models import Patient


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boum/", _boom)]
handler500 = "core.views.server_error"


def test_unknown_page_is_the_french_404(personas):
    response = personas.client("claire").get("/cette-page-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in html and "Retour à l'accueil" in html
    assert "URLconf" not in html and "Page not found" not in html


def test_a_foreign_object_answers_the_same_french_404(personas):
    """An object out of the user's reach answers the French page, with no URL list."""
    patient = Patient.objects.order_by("pk").first()
    response = personas.client(None).get(f"/cabinet/patients/{patient.pk}/")
    assert response.status_code == 302  # anonymous: to the login page
    response = personas.client("admin").get(f"/cabinet/patients/{patient.pk}/")
    assert response.status_code in (403, 404)
    html = response.content.decode()
    assert ("Page introuvable" in html) or ("Accès refusé" in html)
    assert "URLconf" not in html


def test_forbidden_page_is_the_french_403(personas):
    response = personas.client("nadia").get("/cabinet/ma-journee/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_server_error_is_the_french_500(personas, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(personas.claire)
    response = client.get("/boum/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html and "Traceback" not in html


def test_server_error_page_renders_even_when_the_page_context_fails(rf, monkeypatch):
    """The 500 page must not need the database (it may be what failed)."""
    from core import views

    def broken(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(views, "render", broken)
    response = views.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


LOCAL_DEMO = {
    "DJANGO_DEBUG": "false",
    "DJANGO_LOCAL_DEMO": "true",
    "DJANGO_SECRET_KEY": "a-local-demo-secret-key-of-fifty-characters-or-more-12345",
}


def _check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings as s; print(s.DEBUG, s.DEMO_DATA_ALLOWED, "
         "s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE, s.STORAGES['staticfiles']['BACKEND'])"],
        cwd=settings.BASE_DIR, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("extra,message", [
    ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG=false"),
    ({"DJANGO_ALLOWED_HOSTS": "cabinet.example.org"}, "loopback"),
])
def test_local_demo_mode_is_refused_outside_its_case(extra, message):
    result = _check({**LOCAL_DEMO, **extra})
    assert result.returncode != 0
    assert message in result.stderr


def test_local_demo_mode_serves_with_debug_off_on_loopback_only():
    result = _check(LOCAL_DEMO)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("False True ['127.0.0.1', 'localhost', '[::1]'] False")
    assert "whitenoise" in line
