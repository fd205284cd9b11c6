import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import Cabinet, Role, User


def test_seed_demo_is_idempotent(db):
    before = (User.objects.count(), Cabinet.objects.count())
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)
    assert (User.objects.count(), Cabinet.objects.count()) == before
    assert Cabinet.objects.count() == 1


def test_seed_demo_has_every_role(db):
    roles = dict(User.objects.values_list("username", "role"))
    assert roles["claire"] == roles["marc"] == roles["sophie"] == Role.TITULAIRE
    assert roles["julie"] == Role.REMPLACANT
    assert roles["nadia"] == Role.SECRETAIRE
    assert roles["admin"] == Role.ADMIN


def test_demo_password_logs_in(db, client):
    response = client.post(reverse("login"), {"username": "claire", "password": "demo-cabinet"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_seed_demo_refused_in_production(db, settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", quiet=True)
