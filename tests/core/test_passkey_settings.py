"""S-AUTH-2: the passkeys' relying party of a production deployment is fixed
and checked at start-up; a misconfiguration stops the app, never a guess."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.relying_party import production_relying_party


def test_s_auth_2_rp_id_defaults_to_the_one_allowed_host():
    assert production_relying_party("", [], ["cabinet.example.fr"]) == (
        "cabinet.example.fr", ["https://cabinet.example.fr"])


def test_s_auth_2_parent_domain_covers_its_hosts():
    assert production_relying_party("example.fr", [], ["cabinet.example.fr", "www.example.fr"]) == (
        "example.fr", ["https://cabinet.example.fr", "https://www.example.fr"])


@pytest.mark.parametrize(("rp_id", "origins", "hosts", "message"), [
    ("", [], ["a.example.fr", "b.example.fr"], "must be set"),
    ("https://x.fr", [], ["x.fr"], "bare domain name"),
    ("x.fr:443", [], ["x.fr"], "bare domain name"),
    ("10.0.0.1", [], ["10.0.0.1"], "bare domain name"),
    ("other.fr", [], ["x.fr"], "matches no host"),
    ("x.fr", ["http://x.fr"], ["x.fr"], "https://"),
    ("x.fr", ["https://evil.fr"], ["x.fr"], "https://"),
])
def test_s_auth_2_misconfigured_relying_party_refused(rp_id, origins, hosts, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        production_relying_party(rp_id, origins, hosts)
