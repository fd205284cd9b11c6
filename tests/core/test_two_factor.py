"""S-AUTH-2: TOTP second factor."""

import pyotp
from django.urls import reverse

from core.models import User


def _enable(client, user):
    client.get(reverse("two_factor"))
    secret = client.session["totp_pending"]
    response = client.post(reverse("two_factor"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    user.refresh_from_db()
    return secret


def test_s_auth_2_enable_with_a_valid_code(personas):
    client = personas.client("claire")
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page and "Activer" in page
    secret = _enable(client, personas.claire)
    assert personas.claire.totp_enabled and personas.claire.totp_secret == secret


def test_s_auth_2_wrong_code_refused_at_the_field(personas):
    client = personas.client("marc")
    client.get(reverse("two_factor"))
    response = client.post(reverse("two_factor"), {"code": "000000"})
    assert "Code incorrect ou expiré" in response.content.decode()
    assert not User.objects.get(username="marc").totp_enabled


def test_s_auth_2_login_asks_for_the_code(personas, client):
    secret = _enable(personas.client("julie"), personas.julie)
    client.post(reverse("login"), {"username": "julie", "password": "demo-cabinet"})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(
        reverse("two_factor_verify"), {"code": pyotp.TOTP(secret).now(), "next": "/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_s_auth_2_wrong_codes_lock_the_account(personas, client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    _enable(personas.client("sophie"), personas.sophie)
    client.post(reverse("login"), {"username": "sophie", "password": "demo-cabinet"})
    client.post(reverse("two_factor_verify"), {"code": "111111"})
    response = client.post(reverse("two_factor_verify"), {"code": "111111"})
    assert response["Location"] == reverse("login")
    assert User.objects.get(username="sophie").is_locked()


def test_s_auth_2_required_by_the_deployment(personas, settings):
    settings.TWO_FACTOR_REQUIRED = True
    client = personas.client("nadia")
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor"))
    assert client.get(reverse("two_factor")).status_code == 200


def test_s_auth_2_disable_needs_password_and_code(personas):
    client = personas.client("claire")
    secret = _enable(client, personas.claire)
    response = client.post(reverse("two_factor"), {"password": "faux", "code": "000000"})
    assert "Mot de passe incorrect." in response.content.decode()
    client.post(
        reverse("two_factor"), {"password": "demo-cabinet", "code": pyotp.TOTP(secret).now()}
    )
    personas.claire.refresh_from_db()
    assert not personas.claire.totp_enabled
