from django.urls import reverse

from core.models import User


def test_login_page_is_french_and_labelled(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert '<label for="id_username">Identifiant</label>' in html
    assert "Se connecter" in html


def test_login_then_home(client, db):
    response = client.post(reverse("login"), {"username": "nadia", "password": "demo-cabinet"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "Bonjour Nadia" in home.content.decode()


def test_wrong_password_message_in_french(client, db):
    response = client.post(reverse("login"), {"username": "nadia", "password": "faux"})
    assert "Identifiant ou mot de passe incorrect." in response.content.decode()


def test_s_auth_3_account_locks_after_repeated_failures(client, db, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "marc", "password": "faux"})
    assert User.objects.get(username="marc").is_locked()
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "marc", "password": "demo-cabinet"})
    assert response.status_code == 200
    assert "verrouillé" in response.content.decode()


def test_s_auth_4_session_expires_after_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_logout_ends_the_session(personas):
    client = personas.client("claire")
    client.post(reverse("logout"))
    response = client.get(reverse("home"))
    assert response.status_code == 302


def test_password_change_page(personas):
    response = personas.client("julie").get(reverse("password_change"))
    assert "Changer de mot de passe" in response.content.decode()
