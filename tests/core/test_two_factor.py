"""S-AUTH-2: the second factor on django-otp (TOTP with replay protection,
static backup codes), required by default in production."""

from __future__ import annotations

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def enable(client, user) -> tuple[TOTPDevice, list[str]]:
    client.get(reverse("two_factor"))
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor"), {"code": code_for(pending)})
    assert response.status_code == 200
    codes = response.context["codes"]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return device, codes


def login_password(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": "demo-cabinet"})


def test_s_auth_2_enable_with_a_valid_code_shows_backup_codes_once(personas):
    client = personas.client("claire")
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page and "Activer" in page
    device, codes = enable(client, personas.claire)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=personas.claire).count() == 10
    assert AuditEvent.objects.filter(action="two_factor_enabled", actor=personas.claire).exists()
    page = client.get(reverse("two_factor")).content.decode()
    assert "Codes de secours restants : <strong>10</strong>" in page
    assert codes[0] not in page


def test_s_auth_2_wrong_code_refused_at_the_field(personas):
    client = personas.client("marc")
    client.get(reverse("two_factor"))
    response = client.post(reverse("two_factor"), {"code": "000000"})
    assert "Code incorrect ou expiré" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.marc, confirmed=True).exists()


def test_s_auth_2_login_asks_for_the_code(personas, client):
    device, _codes = enable(personas.client("julie"), personas.julie)
    login_password(client, "julie")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device, 1), "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_s_auth_2_a_totp_code_is_accepted_once(personas, client):
    """The probe logged in twice with the same code: django-otp refuses a
    code of a time step already used."""
    device, _codes = enable(personas.client("julie"), personas.julie)
    device.refresh_from_db()
    code = code_for(device, 1)
    login_password(client, "julie")
    assert client.post(reverse("two_factor_verify"), {"code": code})["Location"] == "/"
    other = personas.client(None)
    login_password(other, "julie")
    response = other.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert "Code incorrect ou expiré" in response.content.decode()
    assert other.get(reverse("home")).status_code == 302


def test_s_auth_2_a_backup_code_works_once(personas, client):
    _device, codes = enable(personas.client("sophie"), personas.sophie)
    login_password(client, "sophie")
    assert client.post(reverse("two_factor_verify"), {"code": codes[3]}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    other = personas.client(None)
    login_password(other, "sophie")
    assert other.post(reverse("two_factor_verify"), {"code": codes[3]}).status_code == 200
    assert StaticToken.objects.filter(device__user=personas.sophie).count() == 9


def test_s_auth_3_wrong_codes_lock_the_account_and_a_password_login_does_not_reset(
    personas, client, settings
):
    """The probe sent 20 wrong codes, logging in again with the password in
    between, and was never locked."""
    settings.AXES_FAILURE_LIMIT = 3
    _enable = enable(personas.client("sophie"), personas.sophie)
    for _ in range(2):
        login_password(client, "sophie")
        client.post(reverse("two_factor_verify"), {"code": "111111"})
    login_password(client, "sophie")
    response = client.post(reverse("two_factor_verify"), {"code": "111111"})
    assert response.status_code == 429
    assert "Connexion suspendue" in response.content.decode()
    # Locked: the right password is refused too.
    response = login_password(personas.client(None), "sophie")
    assert response.status_code == 429


def test_s_auth_2_required_by_the_deployment(personas, settings):
    settings.TWO_FACTOR_REQUIRED = True
    client = personas.client("nadia")
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor"))
    assert client.get(reverse("two_factor")).status_code == 200


def test_s_auth_2_required_by_default_in_production():
    """DJANGO_DEBUG=false with no TWO_FACTOR_REQUIRED: required; a demo
    switches it off explicitly."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    base = {k: v for k, v in os.environ.items() if k != "TWO_FACTOR_REQUIRED"}
    base.update(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60,
                DJANGO_ALLOWED_HOSTS="cabinet.example.org")
    script = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)"

    def value(**extra) -> str:
        env = {**base, **extra}
        return subprocess.run(  # noqa: S603
            [sys.executable, "-c", "import django, os; os.environ.setdefault("
             "'DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); " + script],
            cwd=root, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()

    assert value() == "True"
    assert value(TWO_FACTOR_REQUIRED="false") == "False"
    assert value(DJANGO_DEBUG="true") == "False"


def test_s_auth_2_first_screen_after_first_login_in_production(personas, client, settings):
    settings.TWO_FACTOR_REQUIRED = True
    response = login_password(client, "marc")
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor"))
    # The admin site too.
    admin = personas.client(None)
    login_password(admin, "admin")
    assert admin.get(reverse("admin:index"))["Location"].startswith(reverse("two_factor"))


def test_s_auth_2_disable_needs_password_and_code(personas):
    client = personas.client("claire")
    device, _codes = enable(client, personas.claire)
    response = client.post(reverse("two_factor"),
                           {"password": "faux", "code": "000000", "action": "disable"})
    assert "Mot de passe incorrect." in response.content.decode()
    client.post(reverse("two_factor"), {"password": "demo-cabinet", "code": code_for(device, 1),
                                        "action": "disable"})
    assert not TOTPDevice.objects.filter(user=personas.claire).exists()
    assert not StaticToken.objects.filter(device__user=personas.claire).exists()


def test_s_auth_2_device_known_with_the_user_no_query_of_its_own(personas):
    """The per-request check reads whether the user has a confirmed device
    from the user's own query (core.backends.UserBackend), not from a query
    on the device table per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client("marc")
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    device_queries = [q["sql"] for q in ctx.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    assert len(device_queries) == 1 and "core_user" in device_queries[0]


def test_s_auth_2_a_device_confirmed_in_another_session_counts_at_once(personas):
    """An open session without a code is stopped on its next request once a
    device is confirmed elsewhere (the answer is not cached)."""
    other = personas.client("sophie")
    assert other.get(reverse("home")).status_code == 200
    enable(personas.client("sophie"), personas.sophie)
    response = other.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
