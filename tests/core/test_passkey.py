"""S-AUTH-2: passkeys (django-otp-webauthn) beside the authenticator app:
listed on « Double authentification », named and deleted from their own page,
each change audited without any secret; another user's passkey is not found."""

from __future__ import annotations

import secrets

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from core.models import AuditEvent
from tests.core.test_two_factor import enable


def make_passkey(user, name: str = "Téléphone pro") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user, name=name, credential_id=secrets.token_bytes(32),
        public_key=secrets.token_bytes(77), aaguid="00000000-0000-0000-0000-000000000000",
    )


def test_s_auth_2_two_factor_page_lists_only_own_passkeys(personas):
    client = personas.client("nadia")
    enable(client, personas.nadia)
    make_passkey(personas.nadia, "Téléphone de Nadia")
    make_passkey(personas.claire, "Clé de Claire")
    page = client.get(reverse("two_factor")).content.decode()
    assert "Clés d&#x27;accès (passkeys)" in page or "Clés d'accès (passkeys)" in page
    assert "Téléphone de Nadia" in page
    assert "Clé de Claire" not in page
    # A verified session may register one: the library's script and its settings.
    assert 'id="passkey-registration-placeholder"' in page
    assert "otp_webauthn_register.js" in page and 'id="otp_webauthn_config"' in page
    assert "<script>" not in page  # S-DEPLOY-2: nothing inline


def test_s_auth_2_no_passkey_registration_before_the_session_is_verified(personas, client):
    enable(personas.client("claire"), personas.claire)
    client.post(reverse("login"), {"username": "claire", "password": "demo-cabinet"})
    page = client.get(reverse("two_factor")).content.decode()
    assert 'id="passkey-registration-placeholder"' not in page
    response = client.post(reverse("passkey_register_begin"))
    # The middleware sends an unverified session to the code step first.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert not WebAuthnCredential.objects.filter(user=personas.claire).exists()


def test_s_auth_2_registration_needs_the_app_second_factor_first(personas):
    client = personas.client("marc")
    response = client.post(reverse("passkey_register_begin"))
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_first"
    assert "Activez d'abord" in response.json()["detail"]


def test_s_auth_2_registration_options_for_a_verified_session(personas):
    client = personas.client("sophie")
    enable(client, personas.sophie)
    make_passkey(personas.sophie)
    response = client.post(reverse("passkey_register_begin"), HTTP_HOST="localhost:8123")
    assert response.status_code == 200
    options = response.json()
    assert options["rp"]["id"] == "localhost"
    assert options["rp"]["name"]
    # The passkey she already has is excluded (no second copy on one device).
    assert len(options["excludeCredentials"]) == 1


def test_s_auth_2_name_own_passkey_is_audited_without_secret(personas):
    client = personas.client("nadia")
    device = make_passkey(personas.nadia, "Clé d'accès")
    url = reverse("passkey", args=[device.pk])
    assert "Nom de la clé d&#x27;accès" in client.get(url).content.decode()
    response = client.post(url, {"action": "rename", "name": "  Téléphone   pro "})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.name == "Téléphone pro"
    event = AuditEvent.objects.get(action="passkey_renamed", actor=personas.nadia)
    assert event.object_id == str(device.pk) and event.detail == {"fields": ["name"]}
    assert "Téléphone" not in str(event.detail)


def test_s_auth_2_empty_name_refused_at_the_field(personas):
    client = personas.client("nadia")
    device = make_passkey(personas.nadia, "Clé d'accès")
    response = client.post(reverse("passkey", args=[device.pk]), {"action": "rename", "name": "   "})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode() or "Donnez un nom" in response.content.decode()
    device.refresh_from_db()
    assert device.name == "Clé d'accès"


def test_s_auth_2_delete_own_passkey_is_audited(personas):
    client = personas.client("julie")
    device = make_passkey(personas.julie)
    pk = device.pk
    response = client.post(reverse("passkey", args=[pk]), {"action": "delete"})
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="passkey_deleted", actor=personas.julie)
    assert event.object_id == str(pk)
    assert event.detail == {}


@pytest.mark.parametrize("method", ["get", "post"])
def test_s_auth_2_another_users_passkey_is_not_found(personas, method):
    device = make_passkey(personas.claire, "Clé de Claire")
    client = personas.client("nadia")
    response = getattr(client, method)(reverse("passkey", args=[device.pk]), {"action": "delete"})
    assert response.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=device.pk, name="Clé de Claire").exists()
    assert not AuditEvent.objects.filter(action__startswith="passkey_").exists()
