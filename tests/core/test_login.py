import re
import threading

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.urls import reverse


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
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "marc", "password": "faux"})
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": "marc", "password": "demo-cabinet"})
    assert response.status_code == 429
    assert "Connexion suspendue" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_s_auth_3_admin_login_counts_failures_too(client, db, settings):
    """The probe tried 10 wrong passwords on /admin/login/, then the right one
    worked on a locked account."""
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("admin:login")
    for _ in range(3):
        client.post(url, {"username": "admin", "password": "faux"})
    response = client.post(url, {"username": "admin", "password": "demo-cabinet"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Failures on either form add up.
    other = Client()
    other.post(url, {"username": "nadia", "password": "faux"})
    other.post(reverse("login"), {"username": "nadia", "password": "faux"})
    other.post(url, {"username": "nadia", "password": "faux"})
    assert other.post(reverse("login"),
                      {"username": "nadia", "password": "demo-cabinet"}).status_code == 429


def test_s_auth_3_unknown_user_gets_the_same_answers(client, db, settings):
    """A real account said « verrouillé » where an unknown name never did."""
    settings.AXES_FAILURE_LIMIT = 3

    def answers(username):
        c = Client()
        out = []
        for _ in range(4):
            r = c.post(reverse("login"), {"username": username, "password": "faux"})
            # Per-request CSRF tokens differ whoever logs in.
            page = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "T",
                          r.content.decode())
            out.append((r.status_code, page.replace(username, "U")))
        return out

    assert answers("marc") == answers("personne-inconnue")


@pytest.mark.django_db(transaction=True)
def test_s_auth_3_parallel_attempts_are_all_counted(settings):
    """The probe sent 40 wrong passwords at once against a limit of 5 and saw
    18 checked. Attempts on one username are serialised and counted
    atomically: at most the limit reach the password check."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite serialises the whole file)")
    from django.core.management import call_command

    call_command("seed_demo", quiet=True)
    settings.AXES_FAILURE_LIMIT = 5
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt():
        try:
            response = Client().post(reverse("login"),
                                     {"username": "marc", "password": "faux"})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = statuses.count(200)  # the form's "incorrect" answer: the password was checked
    assert len(statuses) == 40
    assert checked <= 5, statuses
    assert sum(a.failures_since_start for a in AccessAttempt.objects.filter(username="marc")) >= 5


def test_s_auth_4_session_expires_after_inactivity(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS <= 60
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)


def test_s_auth_4_activity_pushes_the_expiry_back_once_a_minute(personas, monkeypatch):
    from django.contrib.sessions.models import Session

    from core import middleware

    clock = [1_000_000]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client = personas.client("claire")
    key = client.cookies["sessionid"].value

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    client.get(reverse("home"))
    first = expiry()
    clock[0] += 30  # within the minute: the page writes nothing
    client.get(reverse("home"))
    assert expiry() == first
    clock[0] += 31  # a minute later: the idle limit slides forward
    client.get(reverse("home"))
    assert expiry() > first
    # An idle session past its expiry is over: back to the login page.
    Session.objects.filter(session_key=key).update(expire_date=first.replace(year=2000))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_logout_ends_the_session(personas):
    client = personas.client("claire")
    client.post(reverse("logout"))
    response = client.get(reverse("home"))
    assert response.status_code == 302


def test_password_change_page(personas):
    response = personas.client("julie").get(reverse("password_change"))
    assert "Changer de mot de passe" in response.content.decode()
