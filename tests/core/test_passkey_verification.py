"""S-AUTH-2 / S-AUTH-3: at the code step a passkey may stand in for the code;
a refused passkey answer counts as a failed login, like a wrong code."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.urls import reverse

from tests.core.test_passkey import make_passkey
from tests.core.test_two_factor import enable, login_password


def test_s_auth_2_code_step_offers_the_passkey_when_she_has_one(personas, client):
    enable(personas.client("claire"), personas.claire)
    make_passkey(personas.claire)
    login_password(client, "claire")
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert 'id="passkey-verification-placeholder"' in page
    assert "otp_webauthn_auth.js" in page


def test_s_auth_2_code_step_without_passkey_shows_no_button(personas, client):
    enable(personas.client("marc"), personas.marc)
    login_password(client, "marc")
    page = client.get(reverse("two_factor_verify")).content.decode()
    assert "passkey-verification-placeholder" not in page


def test_s_auth_2_passkey_options_before_verification(personas, client):
    enable(personas.client("claire"), personas.claire)
    device = make_passkey(personas.claire)
    login_password(client, "claire")
    response = client.post(reverse("passkey_auth_begin"))
    assert response.status_code == 200
    allowed = response.json()["allowCredentials"]
    assert len(allowed) == 1 and allowed[0]["type"] == "public-key"
    assert device.credential_id  # the options name her credential only


def test_s_auth_3_refused_passkey_answer_counts_as_failed_login(personas, client, settings):
    enable(personas.client("julie"), personas.julie)
    make_passkey(personas.julie)
    login_password(client, "julie")
    client.post(reverse("passkey_auth_begin"))
    forged = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {
        "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA"}}
    response = client.post(reverse("passkey_auth_complete"), forged, content_type="application/json")
    assert response.status_code in (400, 403, 404, 422)
    assert response.json()["detail"]  # French message for the page's status line
    attempt = AccessAttempt.objects.get(username="julie")
    assert attempt.failures_since_start == 1
    # Still not verified: the pages stay closed.
    assert client.get(reverse("home")).status_code == 302


def test_s_auth_3_locked_after_the_limit_of_failed_passkey_answers(personas, client, settings):
    enable(personas.client("sophie"), personas.sophie)
    make_passkey(personas.sophie)
    login_password(client, "sophie")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("passkey_auth_begin"))
        response = client.post(reverse("passkey_auth_complete"), {"id": "x"},
                               content_type="application/json")
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    # django-axes answers with its lock page, as for the code.
    assert "Connexion suspendue" in response.content.decode()
    # The lock ended the session.
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_s_auth_2_passkey_of_a_user_without_passkey_is_refused(personas, client):
    enable(personas.client("nadia"), personas.nadia)
    login_password(client, "nadia")
    response = client.post(reverse("passkey_auth_begin"))
    assert response.status_code == 404
    assert response.json()["code"] == "no_passkey"
