"""S-AUTH-2 in a real browser: Chromium's virtual authenticator (a passkey
held by the "device", with fingerprint-like user verification) registers a
passkey from « Double authentification », then stands in for the code at the
next login."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from core.models import AuditEvent
from tests.core.test_two_factor import code_for
from tests.e2e import browser_login

pytestmark = pytest.mark.e2e


def add_virtual_authenticator(context, page) -> tuple[object, str]:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    answer = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
    }})
    return cdp, answer["authenticatorId"]


def password_step(page, live_server, username: str) -> None:
    browser_login(page, live_server, username, lands_on="/double-authentification/code/**")


def test_s_auth_2_register_a_passkey_then_log_in_with_it(browser, live_server, transactional_demo):
    nadia = transactional_demo.nadia
    totp = TOTPDevice.objects.create(user=nadia, name="Application d'authentification",
                                     confirmed=True)
    assert live_server.url.startswith("http://localhost:")  # an RP id must be a domain name
    context = browser.new_context()
    page = context.new_page()
    cdp, authenticator_id = add_virtual_authenticator(context, page)

    # A session verified with the authenticator app may register a passkey.
    password_step(page, live_server, "nadia")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(code_for(totp))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/double-authentification/")
    page.get_by_role("button", name="Enregistrer une clé d'accès").click()
    # Registered: her browser goes on to name it.
    page.wait_for_url(f"{live_server.url}/double-authentification/cles/*/")
    device = WebAuthnCredential.objects.get(user=nadia)
    assert device.discoverable is True
    page.get_by_label("Nom de la clé d'accès").fill("Téléphone du cabinet")
    page.get_by_role("button", name="Enregistrer le nom").click()
    page.wait_for_url(f"{live_server.url}/double-authentification/")
    assert page.get_by_role("link", name="Téléphone du cabinet").is_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert set(AuditEvent.objects.filter(actor=nadia, action__startswith="passkey_")
               .values_list("action", flat=True)) == {"passkey_registered", "passkey_renamed"}
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/connexion/")

    # Next login: password, then the passkey instead of the code; she lands
    # on the page she asked for, which needs a verified session.
    page.goto(f"{live_server.url}/cabinet/patients/")
    page.get_by_label("Identifiant").fill("nadia")
    page.get_by_label("Mot de passe").fill("demo-cabinet")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/double-authentification/code/**")
    page.get_by_role("button", name="Utiliser une clé d'accès").click()
    page.wait_for_url(f"{live_server.url}/cabinet/patients/")
    assert page.get_by_role("heading", name="Patients").first.is_visible()
    device.refresh_from_db()
    assert device.last_used_at is not None and device.sign_count >= 0
    page.close()
    context.close()
